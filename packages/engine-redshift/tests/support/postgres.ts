import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import pg from 'pg';

/** Runs one statement as the test server's superuser. */
export async function superuser(server: PostgresServerHandle, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Whether the server accepts this login (checked with node-postgres, outside the engine); 28P01 is false. */
export async function canLogin(
  server: PostgresServerHandle,
  user: string,
  password: string,
): Promise<boolean> {
  const client = new pg.Client({ connectionString: server.connectionString({ user, password }) });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
