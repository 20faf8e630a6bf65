import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import pg from 'pg';

/** One fresh login: true when the server accepts the password, false when it refuses it (28P01). */
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
