import type { TestProject } from 'vitest/node';
import { closedPort } from './shared-servers.ts';

/**
 * Under `pnpm mutation` (ROTOR_SHARE_TEST_SERVERS=1) Stryker reruns the conformance file once per mutant; the
 * clusters it needs are started here once per test-runner process instead of once per run. Every session
 * still uses users of its own (a random prefix), so runs cannot see each other's. Otherwise this does nothing
 * and each test file starts its own servers.
 */
export default async function setup(project: TestProject) {
  if (process.env.ROTOR_SHARE_TEST_SERVERS !== '1') {
    project.provide('rotorPostgresServers', null);
    return;
  }
  // Loaded outside the workspace's source condition: `pnpm mutation` builds @rotor/local-aws first.
  const { startPostgresServer } = await import('@rotor/local-aws/harness');
  const [main, second, tls, downPort] = await Promise.all([
    startPostgresServer({ authMethod: 'scram-sha-256' }),
    startPostgresServer({ authMethod: 'scram-sha-256' }),
    startPostgresServer({ authMethod: 'scram-sha-256', tls: true }),
    closedPort(),
  ]);
  const shared = (server: { port: number; password: string }) => ({
    port: server.port,
    password: server.password,
  });
  project.provide('rotorPostgresServers', {
    main: shared(main),
    second: shared(second),
    tls: shared(tls),
    downPort,
  });
  return async () => {
    await Promise.all([main.stop(), second.stop(), tls.stop()]);
  };
}
