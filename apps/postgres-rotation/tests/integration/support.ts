import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import pg from 'pg';

/**
 * Whether `user` logs in to `server` with `password` (verified TLS when the server has TLS). A refused
 * password is `false`; anything else (the server down, TLS failing) is an error, never a silent `false`.
 */
export async function canLogin(
  server: PostgresServerHandle,
  user: string,
  password: string,
): Promise<boolean> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database: 'postgres',
    ...(server.tls ? { ssl: { ca: server.tls.ca, rejectUnauthorized: true } } : {}),
  });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A secret in the shape of AWS's RDS PostgreSQL secrets, for a role on `server`. */
export function secretValue(server: PostgresServerHandle, username: string, password: string) {
  return { engine: 'postgres', host: server.host, port: server.port, username, password, dbname: 'postgres' };
}
