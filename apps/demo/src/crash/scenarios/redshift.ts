/**
 * Redshift scenarios on PostgreSQL standing in for the cluster (md5 passwords, as Redshift stores them):
 * single user and alternating users, over pg and over the Data API. Each case creates its own user (in a
 * group, so the clone's copied membership is checked) and secret; alternating users also an admin secret.
 */
import { createHash } from 'node:crypto';
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import type { CrashCaseContext, PreparedTarget } from '@rotor/testkit/crash';
import { type CrashEnvironment, initialPassword } from '../environment.js';
import { asSuperuser, postgresTarget } from './postgres-wire.js';
import type { ScenarioSpec } from './spec.js';

const CLUSTER = 'crash-cluster';

type Transport = 'pg' | 'data-api';
type Strategy = 'single-user' | 'alternating-users';

export const redshiftScenarioSpecs: ScenarioSpec[] = (['pg', 'data-api'] as const).flatMap((transport) =>
  (['single-user', 'alternating-users'] as const).map((strategy) => {
    const name = `redshift/${strategy}/${transport}`;
    return {
      name,
      engine: 'redshift' as const,
      create(env: CrashEnvironment) {
        const server = env.redshiftPostgres!;
        const bundlePath = env.bundles.redshift!;
        return {
          name,
          loginThroughout: strategy === 'alternating-users',
          services: { redshiftData: { clusters: { [CLUSTER]: server.connectionString() } } },
          prepare: (context: CrashCaseContext) =>
            prepareRedshift(context, server, bundlePath, transport, strategy),
        };
      },
    };
  }),
);

async function prepareRedshift(
  context: CrashCaseContext,
  server: PostgresServerHandle,
  bundlePath: string,
  transport: Transport,
  strategy: Strategy,
): Promise<PreparedTarget> {
  const username = `app_${context.caseId}`;
  const group = `readers_${context.caseId}`;
  const password = initialPassword();
  const md5 = `md5${createHash('md5')
    .update(password + username)
    .digest('hex')}`;
  await asSuperuser(server.connectionString(), async (client) => {
    await client.query(`CREATE ROLE ${group} NOLOGIN`);
    await client.query(`CREATE USER ${username} PASSWORD '${md5}' IN ROLE ${group}`);
  });
  return postgresTarget({
    context,
    server,
    engine: 'redshift',
    extraFields: { dbClusterIdentifier: CLUSTER },
    username,
    password,
    alternating: strategy === 'alternating-users',
    fn: {
      bundlePath,
      handler: 'index.handler',
      timeoutSeconds: 30,
      environment: {
        ROTOR_STRATEGY: strategy,
        ROTOR_REDSHIFT_TRANSPORT: transport,
        ROTOR_REDSHIFT_TLS: 'disable',
        ROTOR_REDSHIFT_DIALECT: 'postgresql',
        // The Data API cannot prove a password: the function logs in over pg, which it can reach here.
        ...(transport === 'data-api'
          ? { ROTOR_REDSHIFT_LOGIN_CHECK: 'pg', ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: CLUSTER }
          : {}),
      },
    },
  });
}
