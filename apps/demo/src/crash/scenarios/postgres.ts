/**
 * PostgreSQL scenarios (SCRAM-only logins): single user, and alternating users with an admin secret. Each
 * case creates its own role, in a group whose membership the clone must copy.
 */
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import type { CrashCaseContext, PreparedTarget } from '@rotor/testkit/crash';
import { type CrashEnvironment, initialPassword } from '../environment.js';
import { asSuperuser, postgresTarget } from './postgres-wire.js';
import type { ScenarioSpec } from './spec.js';

type Strategy = 'single-user' | 'alternating-users';

export const postgresScenarioSpecs: ScenarioSpec[] = (['single-user', 'alternating-users'] as const).map(
  (strategy) => ({
    name: `postgres/${strategy}`,
    engine: 'postgres',
    create: (env: CrashEnvironment) => ({
      name: `postgres/${strategy}`,
      loginThroughout: strategy === 'alternating-users',
      services: {},
      prepare: (context: CrashCaseContext) =>
        preparePostgres(context, env.postgres!, env.bundles.postgres!, strategy),
    }),
  }),
);

async function preparePostgres(
  context: CrashCaseContext,
  server: PostgresServerHandle,
  bundlePath: string,
  strategy: Strategy,
): Promise<PreparedTarget> {
  const username = `app_${context.caseId}`;
  const group = `readers_${context.caseId}`;
  const password = initialPassword();
  await asSuperuser(server.connectionString(), async (client) => {
    await client.query(`CREATE ROLE ${group} NOLOGIN`);
    // The server turns the clear password into a SCRAM verifier (password_encryption).
    await client.query(`CREATE ROLE ${username} LOGIN PASSWORD '${password}' IN ROLE ${group}`);
  });
  return postgresTarget({
    context,
    server,
    engine: 'postgres',
    username,
    password,
    alternating: strategy === 'alternating-users',
    fn: {
      bundlePath,
      handler: 'handler',
      timeoutSeconds: 30,
      environment: {
        ROTOR_STRATEGY: strategy,
        ROTOR_PG_TLS: 'disable',
        ROTOR_PG_ALLOWED_HOSTS: `${server.host}:${server.port}`,
      },
    },
  });
}
