import { createHash } from 'node:crypto';
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import pg from 'pg';

/** The md5 form PostgreSQL stores (and Redshift accepts): the clear password never goes to the server. */
export function md5PasswordHash(password: string, user: string): string {
  return `md5${createHash('md5')
    .update(password + user)
    .digest('hex')}`;
}

/** Runs one statement as the harness superuser. */
export async function asSuperuser(server: PostgresServerHandle, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
