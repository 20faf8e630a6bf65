import { readFileSync } from 'node:fs';
import {
  CredentialRejectedError,
  EngineError,
  EngineUnavailableError,
  InvalidSecretError,
  PermissionDeniedError,
  type RotationStep,
} from '@rotor/core/engine';
import pg from 'pg';

/** The part of node-postgres' Client the engine uses: lets tests observe every statement. */
export interface SqlClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

export type ClientFactory = (config: pg.ClientConfig) => SqlClient;

export const defaultClientFactory: ClientFactory = (config) => new pg.Client(config);

export interface ConnectionSettings {
  tls: 'verify-full' | 'require' | 'disable';
  ca: string | undefined;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  applicationName: string;
}

export interface Login {
  host: string;
  port: number;
  /** This connection's TLS when it differs from the settings' (a secret asking for more). */
  tls?: ConnectionSettings['tls'] | undefined;
  database: string;
  user: string;
  password: string;
}

export function clientConfig(login: Login, settings: ConnectionSettings): pg.ClientConfig {
  return {
    host: login.host,
    port: login.port,
    database: login.database,
    user: login.user,
    password: login.password,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
    statement_timeout: settings.queryTimeoutMs,
    application_name: settings.applicationName,
    ssl: sslOption(login.tls ? { ...settings, tls: login.tls } : settings),
  };
}

function sslOption(settings: ConnectionSettings): pg.ClientConfig['ssl'] {
  if (settings.tls === 'disable') return false;
  if (settings.tls === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(settings.ca ? { ca: readCa(settings.ca) } : {}) };
}

/** `ca` is PEM text, or a path to a PEM file (such as AWS's global RDS bundle). */
function readCa(ca: string): string {
  return ca.includes('-----BEGIN') ? ca : readFileSync(ca, 'utf8');
}

export type ConnectOutcome = { kind: 'connected'; client: SqlClient } | { kind: 'rejected'; reason: string };

/** SQLSTATEs of a refused login: invalid_password, invalid_authorization_specification. */
const LOGIN_REFUSED = new Set(['28P01', '28000']);
/** Server is starting, shutting down, or full: try again later. */
const SERVER_BUSY = new Set(['53300', '57P01', '57P02', '57P03', '08006', '08001', '08004']);

/** Connects; a refused login is an outcome, anything else an error. */
export async function connect(
  factory: ClientFactory,
  login: Login,
  settings: ConnectionSettings,
  step: RotationStep,
): Promise<ConnectOutcome> {
  const client = factory(clientConfig(login, settings));
  try {
    await client.connect();
    return { kind: 'connected', client };
  } catch (error) {
    await client.end().catch(() => {});
    const code = sqlState(error);
    if (code && LOGIN_REFUSED.has(code)) {
      return { kind: 'rejected', reason: `the server refused the login (SQLSTATE ${code})` };
    }
    throw toRotationError(error, `connecting to ${login.host}:${login.port} as "${login.user}"`, step);
  }
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Turns a driver or server error into a RotationError. The message keeps only the SQLSTATE, the
 * server's own message and the network error code: PostgreSQL's messages do not echo statement text
 * (the `position` field only points into it), and the engine never puts a clear password in a statement.
 */
export function toRotationError(error: unknown, doing: string, step: RotationStep) {
  const code = sqlState(error);
  const serverMessage = error instanceof Error ? error.message : String(error);
  if (code === '42501') {
    return new PermissionDeniedError(`Permission denied ${doing}: ${serverMessage}`, { step, cause: error });
  }
  if (code && LOGIN_REFUSED.has(code)) {
    return new CredentialRejectedError(`The server refused the login ${doing} (SQLSTATE ${code})`, {
      step,
      cause: error,
    });
  }
  if (code === '3D000') {
    return new InvalidSecretError(`${capitalize(doing)} failed: ${serverMessage}`, { step, cause: error });
  }
  if ((code && SERVER_BUSY.has(code)) || isNetworkError(error)) {
    const network = (error as { code?: unknown }).code;
    return new EngineUnavailableError(
      `PostgreSQL is unavailable ${doing}: ${typeof network === 'string' ? `${network}: ` : ''}${serverMessage}`,
      {
        step,
        cause: error,
      },
    );
  }
  return new EngineError(`PostgreSQL failed ${doing}${code ? ` (SQLSTATE ${code})` : ''}: ${serverMessage}`, {
    step,
    cause: error,
  });
}

/** Node's codes for a TLS handshake or certificate that failed (core counts TLS failures as unavailability). */
const TLS_FAILURE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // Node's system error codes, DNS ones included (EAI_AGAIN: the resolver could not answer yet).
  if (typeof code === 'string' && (/^E[A-Z_]+$/.test(code) || TLS_FAILURE.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /timeout|terminated unexpectedly|Connection terminated/i.test(message);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
