/**
 * PostgreSQL scenarios (SCRAM-only logins): single user, and alternating users with an admin secret. Each
 * case creates its own role, in a group whose membership the clone must copy.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import type { CrashCaseContext, PreparedTarget } from '@rotor/testkit/crash';
import { type CrashEnvironment, initialPassword } from '../environment.js';
import { asSuperuser, cloneMembershipProblems, postgresLogin, storedVerifiers } from './postgres-wire.js';
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
  const adminUrl = server.connectionString();
  const username = `app_${context.caseId}`;
  const clone = `${username}_clone`;
  const group = `readers_${context.caseId}`;
  const password = initialPassword();
  await asSuperuser(adminUrl, async (client) => {
    await client.query(`CREATE ROLE ${group} NOLOGIN`);
    // The server turns the clear password into a SCRAM verifier (password_encryption).
    await client.query(`CREATE ROLE ${username} LOGIN PASSWORD '${password}' IN ROLE ${group}`);
  });
  const base = { engine: 'postgres', host: server.host, port: server.port, dbname: server.database };
  let masterarn: string | undefined;
  if (strategy === 'alternating-users') {
    const admin = await context.secretsManager.send(
      new CreateSecretCommand({
        Name: `crash/postgres/${context.caseId}/admin`,
        SecretString: JSON.stringify({ ...base, username: server.user, password: server.password }),
      }),
    );
    masterarn = admin.ARN!;
  }
  const secret = await context.secretsManager.send(
    new CreateSecretCommand({
      Name: `crash/postgres/${context.caseId}`,
      SecretString: JSON.stringify({ ...base, username, password, ...(masterarn ? { masterarn } : {}) }),
    }),
  );
  const address = { host: server.host, port: server.port, database: server.database };
  return {
    secretId: secret.ARN!,
    function: {
      bundlePath,
      handler: 'handler',
      timeoutSeconds: 30,
      environment: { ROTOR_STRATEGY: strategy, ROTOR_PG_TLS: 'disable' },
    },
    login: (user, candidate) => postgresLogin(address, user, candidate),
    heldCredentials: () => storedVerifiers(adminUrl, [username, clone]),
    controlPlaneProblems: async () =>
      strategy === 'alternating-users' ? cloneMembershipProblems(adminUrl, username, clone) : [],
  };
}
