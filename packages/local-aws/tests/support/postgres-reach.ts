import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import pg from 'pg';

/**
 * Logs in as `server`'s admin at an endpoint a control plane reported: true when it reaches that server,
 * an error (never a silent false) when it does not.
 */
export async function reachesServer(
  server: PostgresServerHandle,
  endpoint: { host: string | undefined; port: number | undefined },
): Promise<boolean> {
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    user: server.user,
    password: server.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one === 1;
  } finally {
    await client.end();
  }
}
