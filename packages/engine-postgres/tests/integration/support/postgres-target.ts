import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresSecret } from '@rotor/engine-postgres';
import { findPostgresBinDir, type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import type { ConformanceTarget } from '@rotor/testkit';
import pg from 'pg';

const execFileAsync = promisify(execFile);

/** Group roles a clone source belongs to in these tests. */
export const GROUP_ROLES = ['app_readers', 'app_writers'] as const;

/**
 * Whether `username` logs in with `password` on `server`, checked with psql (libpq), a client that shares no
 * code with the engine's node-postgres. Plain text: a server started with `tls: true` still accepts it.
 */
export async function psqlCanLogin(
  server: Pick<PostgresServerHandle, 'host' | 'port'>,
  username: string,
  password: string,
): Promise<boolean> {
  try {
    await execFileAsync(
      join(findPostgresBinDir(), 'psql'),
      [
        '-h',
        server.host,
        '-p',
        String(server.port),
        '-U',
        username,
        '-d',
        'postgres',
        '-w',
        '-X',
        '-tAc',
        'SELECT 1',
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          PGPASSWORD: password,
          PGCONNECT_TIMEOUT: '5',
          PGSSLMODE: 'disable',
        },
      },
    );
    return true;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (/password authentication failed/.test(stderr)) return false;
    throw new Error(
      `psql could not check the login of "${username}": ${password ? stderr.replaceAll(password, '[password]') : stderr}`,
    );
  }
}

export interface PostgresTarget extends ConformanceTarget<PostgresSecret> {
  server: PostgresServerHandle;
  /** A superuser connection for set-up and inspection. */
  admin: NonNullable<ConformanceTarget<PostgresSecret>['admin']>;
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * A real PostgreSQL cluster (the harness's initdb in a temp dir) that only accepts SCRAM-SHA-256 logins.
 * Logins are checked with psql (libpq), a client that shares no code with the engine's node-postgres.
 */
export async function startPostgresTarget(
  options: { authMethod?: 'md5' | 'scram-sha-256'; server?: PostgresServerHandle } = {},
): Promise<PostgresTarget> {
  const server =
    options.server ??
    (await startPostgresServer({ authMethod: options.authMethod ?? 'scram-sha-256', logStatements: true }));
  const superuser = new pg.Client({ connectionString: server.connectionString() });
  await superuser.connect();
  // A server shared between runs (pnpm mutation) already has them.
  const { rows: existing } = await superuser.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [
    [...GROUP_ROLES],
  ]);
  for (const group of GROUP_ROLES) {
    if (!existing.some((row) => row.rolname === group)) await superuser.query(`CREATE ROLE ${group} NOLOGIN`);
  }
  const location = { engine: 'postgres', host: server.host, port: server.port, dbname: 'postgres' };

  return {
    server,
    sql: (text, values) => superuser.query(text, values),
    secretFor: (username, password) => ({
      ...location,
      username,
      ...(password === undefined ? {} : { password }),
    }),
    async createUser(username, password) {
      await superuser.query(
        `CREATE ROLE ${superuser.escapeIdentifier(username)} LOGIN PASSWORD ${superuser.escapeLiteral(password)}`,
      );
    },
    canLogin: (username, password) => psqlCanLogin(server, username, password),
    admin: { value: { username: server.user, password: server.password, ...location } },
    async decorateCloneSource(username) {
      const role = superuser.escapeIdentifier(username);
      for (const group of GROUP_ROLES) await superuser.query(`GRANT ${group} TO ${role}`);
      await superuser.query(`ALTER ROLE ${role} CREATEDB NOINHERIT CONNECTION LIMIT 7`);
    },
    async describeCloneable(username) {
      const { rows } = await superuser.query(
        `SELECT r.rolcanlogin, r.rolinherit, r.rolcreatedb, r.rolconnlimit,
                ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid ORDER BY g.rolname)::text[] AS memberships
           FROM pg_roles r WHERE r.rolname = $1`,
        [username],
      );
      return rows[0];
    },
    async stop() {
      await superuser.end().catch(() => {});
      await server.stop();
    },
  };
}
