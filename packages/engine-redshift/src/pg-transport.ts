/**
 * Direct connections with node-postgres. TLS is on by default and verifies the server certificate
 * against Node's trust store (which holds the Amazon roots Redshift's certificates chain to) or a
 * given CA; AWS's Redshift functions use libpq's default, which never verifies.
 */
import { isIP } from 'node:net';
import pg from 'pg';
import { mapPgError } from './error-mapping.js';
import type { Row, SqlSession, StatementObserver } from './transport.js';

export type PgTlsMode = 'verify-full' | 'require' | 'disable';

export interface PgConnectionSettings {
  tls: PgTlsMode;
  /** PEM bundle to trust instead of Node's default roots (verify-full only). */
  ca?: string | undefined;
  connectTimeoutMs: number;
  /** Per-statement limit, enforced by the client. */
  queryTimeoutMs: number;
}

export interface PgLogin {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

function sslOption(settings: PgConnectionSettings, host: string): pg.ClientConfig['ssl'] {
  if (settings.tls === 'disable') return false;
  if (settings.tls === 'require') return { rejectUnauthorized: false };
  // SNI takes host names only; certificate checks still cover IP addresses (subjectAltName IP).
  return {
    rejectUnauthorized: true,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(settings.ca ? { ca: settings.ca } : {}),
  };
}

function clientFor(login: PgLogin, settings: PgConnectionSettings): pg.Client {
  return new pg.Client({
    host: login.host,
    port: login.port,
    database: login.database,
    user: login.username,
    password: login.password,
    ssl: sslOption(settings, login.host),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
    application_name: 'rotor-redshift-rotation',
  });
}

function describeLogin(login: PgLogin): string {
  return `"${login.username}" at ${login.host}:${login.port}/${login.database}`;
}

/**
 * Opens a session. Failures are mapped: refused credentials become CredentialRejectedError, an
 * unreachable host EngineUnavailableError (retryable), ...
 */
export async function openPgSession(
  login: PgLogin,
  settings: PgConnectionSettings,
  observe?: StatementObserver,
): Promise<SqlSession> {
  const client = clientFor(login, settings);
  // A socket error after connect must not crash the Lambda; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw mapPgError(error, { action: `log in as ${describeLogin(login)}` });
  }
  const run = async (sql: string, parameters: readonly string[] = []): Promise<Row[]> => {
    observe?.(sql);
    try {
      const result = await client.query(sql, [...parameters]);
      return result.rows as Row[];
    } catch (error) {
      throw mapPgError(error, { action: `run a statement as ${describeLogin(login)}` });
    }
  };
  return {
    query: run,
    // A pg transaction is not deduplicated: callers check the outcome themselves (see setPasswords).
    async transaction(statements) {
      await run('BEGIN');
      try {
        for (const statement of statements) await run(statement);
        await run('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await client.end();
    },
  };
}

export type PgLoginResult = { accepted: true } | { accepted: false; reason: string };

/** Logs in and runs `SELECT 1`. Refused credentials are a result; anything else throws a mapped error. */
export async function tryPgLogin(login: PgLogin, settings: PgConnectionSettings): Promise<PgLoginResult> {
  let session: SqlSession;
  try {
    session = await openPgSession(login, settings);
  } catch (error) {
    if ((error as { code?: string }).code === 'CREDENTIAL_REJECTED') {
      // With password authentication the server answers the same for a wrong password and a missing user.
      return { accepted: false, reason: `${(error as Error).message} (wrong password, or no such user)` };
    }
    throw error;
  }
  try {
    await session.query('SELECT 1');
    return { accepted: true };
  } finally {
    await session.close().catch(() => undefined);
  }
}
