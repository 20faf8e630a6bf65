import { createServer } from 'node:net';
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import { inject } from 'vitest';

/** What the global setup hands the tests: enough to reach each server as its superuser. */
export interface SharedServer {
  port: number;
  password: string;
}
export interface SharedServers {
  main: SharedServer;
  second: SharedServer;
  tls: SharedServer;
  downPort: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rotorPostgresServers: SharedServers | null;
  }
}

/** The servers `pnpm mutation` started once for every run (ROTOR_SHARE_TEST_SERVERS=1), or undefined. */
export function sharedServers(): SharedServers | undefined {
  return inject('rotorPostgresServers') ?? undefined;
}

/** A handle on a server this process did not start: stopping it is the global setup's job. */
export function sharedHandle(server: SharedServer): PostgresServerHandle {
  const { port, password } = server;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionString: ({ user = 'postgres', password: pw = password, database = 'postgres' } = {}) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    output: () => '',
    stop: async () => {},
  };
}

/** A port on the loopback where nothing listens (taken, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
