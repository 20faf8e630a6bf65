import { postgresEngine } from '@rotor/engine-postgres';
import { describeEngineConformance } from '@rotor/testkit';
import { type HarnessedPostgresTarget, withPostgresHarness } from './support/postgres-harness.ts';
import { startPostgresTarget } from './support/postgres-target.ts';
import { sharedHandle, sharedServers } from './support/shared-servers.ts';

// The whole conformance suite against a real PostgreSQL that accepts only SCRAM-SHA-256 logins, with the
// hostile harness: a second cluster, a TLS cluster with an untrusted certificate, a port where nothing listens.
describeEngineConformance({
  name: 'postgres (scram-sha-256)',
  startTarget: async () => {
    // Clusters started once for every run under `pnpm mutation`; otherwise this file's own.
    const shared = sharedServers();
    const target = await startPostgresTarget({
      authMethod: 'scram-sha-256',
      ...(shared ? { server: sharedHandle(shared.main) } : {}),
    });
    return withPostgresHarness(target, shared);
  },
  // Loopback test servers; TLS only where a secret asks for it (`ssl: true`, verified against Node's roots).
  // RDS-managed master secrets are located through the harness's RDS (DescribeDBInstances / DescribeDBClusters).
  createEngine: (target: HarnessedPostgresTarget) =>
    postgresEngine({
      tls: 'disable',
      allowedHosts: target.allowedHosts,
      rds: { client: target.rds, region: 'us-east-1' },
    }),
  policySamples: 20,
  skip: {
    'wait-abort': 'ALTER ROLE applies when its statement returns; there is nothing to wait for',
    'rotation-dual-password': 'a PostgreSQL role holds exactly one password',
  },
});
