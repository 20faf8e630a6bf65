import { postgresEngine } from '@rotor/engine-postgres';
import { describeEngineConformance } from '@rotor/testkit';
import { startPostgresTarget } from './support/postgres-target.ts';

// The whole conformance suite against a real PostgreSQL that accepts only SCRAM-SHA-256 logins.
describeEngineConformance({
  name: 'postgres (scram-sha-256)',
  startTarget: () => startPostgresTarget({ authMethod: 'scram-sha-256' }),
  // Loopback test server without TLS; the engine's default is verify-full.
  createEngine: (target) =>
    postgresEngine({ tls: 'disable', allowedHosts: [`${target.server.host}:${target.server.port}`] }),
  skip: {
    'wait-abort': 'ALTER ROLE applies when its statement returns; there is nothing to wait for',
    'rotation-dual-password': 'a PostgreSQL role holds exactly one password',
  },
});
