/**
 * The Redshift seed workflow ("Rotating Secrets for Amazon Redshift"), on PostgreSQL standing in for the
 * cluster, as an operator does it with the AWS SDK against the local endpoint:
 *   - an admin ("super") user's secret, used through the Redshift Data API to create the application user;
 *   - "Use this secret" (single user): the user's own secret changes its password;
 *   - "Use a secret that I have previously stored" (alternating users): the secret names the admin secret in
 *     `masterarn`; the function clones the user and alternates between the two.
 * Passwords reach the server only as md5 hashes, as Redshift accepts them.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createSecretCache } from '@rotor/client';
import { connect } from '@rotor/client/pg';
import { type StrategyId, silentLogger } from '@rotor/core';
import pg from 'pg';
import { createNaiveSecretReader } from '../workload/naive-secret-reader.js';
import {
  type PreparedScenario,
  type ScenarioEnvironment,
  STRATEGY_SLUG,
  turnOnRotation,
} from './scenario.js';

export const DEMO_CLUSTER = 'rotor-demo';
const ADMIN_SECRET = 'demo/redshift/admin';
const TABLE = 'demo_items';
const CONNECT_TIMEOUT_MS = 3_000;

const adminSecrets = new WeakMap<ScenarioEnvironment, Promise<string>>();

/** Redshift's `md5` password form: md5 of password then user name. */
export function md5PasswordHash(username: string, password: string): string {
  return `md5${createHash('md5')
    .update(password + username)
    .digest('hex')}`;
}

export async function prepareRedshiftScenario(
  env: ScenarioEnvironment,
  strategy: StrategyId,
): Promise<PreparedScenario> {
  const postgres = env.servers.postgres;
  const bundle = env.bundles.redshift;
  if (!postgres || !bundle || !env.redshiftData) {
    throw new Error('The Redshift scenario needs PostgreSQL, the Redshift Data endpoint and its bundle');
  }
  const adminArn = await adminSecret(env);
  const username = `demo_${STRATEGY_SLUG[strategy]}`;
  const secretName = `demo/redshift/${username}`;
  // The user's first password: random, known only to the secret (the first rotation replaces it anyway).
  const initialPassword = `${randomBytes(18).toString('base64url')}Aa1`;

  env.log(
    `[redshift/${strategy}] ExecuteStatement (Data API, as the admin secret): CREATE USER ${username} PASSWORD 'md5…'`,
  );
  await runAdminSql(env.redshiftData, adminArn, postgres.database, [
    `CREATE USER ${username} PASSWORD '${md5PasswordHash(username, initialPassword)}'`,
    `GRANT SELECT ON ${TABLE} TO ${username}`,
  ]);

  const value: Record<string, unknown> = {
    engine: 'redshift',
    host: postgres.host,
    port: postgres.port,
    username,
    password: initialPassword,
    dbname: postgres.database,
    dbClusterIdentifier: DEMO_CLUSTER,
  };
  if (strategy === 'alternating-users') value.masterarn = adminArn;
  env.log(
    `[redshift/${strategy}] CreateSecret ${secretName} {"engine","host","port","username","password","dbname"${strategy === 'alternating-users' ? ',"masterarn"' : ''}}`,
  );
  await env.secretsManager.send(
    new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify(value) }),
  );

  const fn = env.aws.registerFunction({
    functionName: `rotor-redshift-${STRATEGY_SLUG[strategy]}`,
    bundlePath: bundle,
    timeoutSeconds: 60,
    environment: {
      ROTOR_STRATEGY: strategy,
      // The cluster the function rotates users of: its endpoint comes from DescribeClusters, never the secret.
      ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: DEMO_CLUSTER,
      // The local PostgreSQL has no TLS; a real cluster keeps the default (verify-full). The function logs
      // this downgrade as a warning on every invocation.
      ROTOR_REDSHIFT_TLS: 'disable',
      ROTOR_REDSHIFT_DIALECT: 'postgresql',
    },
  });
  env.log(`[redshift/${strategy}] RotateSecret --rotation-lambda-arn ${fn.functionArn}`);
  await turnOnRotation(env, secretName, fn.functionArn);

  const rotorCache = createSecretCache({ client: env.newSecretsManagerClient(), logger: silentLogger });
  const naive = createNaiveSecretReader(env.newSecretsManagerClient(), secretName);
  const endpoint = { host: postgres.host, port: postgres.port, database: postgres.database };

  return {
    engine: 'redshift',
    strategy,
    secretId: secretName,
    loginAttempt(kind) {
      if (kind === 'rotor') {
        return async (signal) => {
          const client = await connect({
            secretId: secretName,
            cache: rotorCache,
            logger: silentLogger,
            recovery: { signal },
            client: { ...endpoint, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
          });
          try {
            await client.query(`SELECT count(*) FROM ${TABLE}`);
          } finally {
            await client.end().catch(() => undefined);
          }
        };
      }
      return async () => {
        const { username: user, password } = await naive.read();
        const client = new pg.Client({
          ...endpoint,
          user,
          password,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        });
        try {
          await client.connect();
          await client.query(`SELECT count(*) FROM ${TABLE}`);
        } finally {
          await client.end().catch(() => undefined);
        }
      };
    },
    async close() {
      naive.close();
    },
  };
}

/** The admin secret (the cluster's superuser), created once per demo, and the table the users read. */
function adminSecret(env: ScenarioEnvironment): Promise<string> {
  let pending = adminSecrets.get(env);
  if (!pending) {
    pending = (async () => {
      const postgres = env.servers.postgres!;
      env.log(`[redshift] CreateSecret ${ADMIN_SECRET} (the admin user that creates and changes users)`);
      const created = await env.secretsManager.send(
        new CreateSecretCommand({
          Name: ADMIN_SECRET,
          SecretString: JSON.stringify({
            engine: 'redshift',
            host: postgres.host,
            port: postgres.port,
            username: postgres.adminUser,
            password: postgres.adminPassword,
            dbname: postgres.database,
            dbClusterIdentifier: DEMO_CLUSTER,
          }),
        }),
      );
      if (!created.ARN) throw new Error('CreateSecret returned no ARN for the admin secret');
      // An existing server (--postgres-url) may hold a previous run's users: start clean.
      const users = Object.values(STRATEGY_SLUG).flatMap((slug) => [`demo_${slug}`, `demo_${slug}_clone`]);
      await runAdminSql(env.redshiftData!, created.ARN, postgres.database, [
        `DROP TABLE IF EXISTS ${TABLE}`,
        // PostgreSQL (the stand-in) syntax: privileges the clone copied must go before the role can.
        `DO $$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['${users.join("','")}'] LOOP ` +
          `IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP OWNED BY %I', r); ` +
          `EXECUTE format('DROP ROLE %I', r); END IF; END LOOP; END $$`,
        `CREATE TABLE ${TABLE} (id int PRIMARY KEY, name text)`,
        `INSERT INTO ${TABLE} VALUES (1, 'rotated credentials still open the door') ON CONFLICT DO NOTHING`,
      ]);
      return created.ARN;
    })();
    adminSecrets.set(env, pending);
  }
  return pending;
}

/** Runs statements one by one through the Data API as the admin secret, waiting for each to finish. */
async function runAdminSql(
  client: RedshiftDataClient,
  secretArn: string,
  database: string,
  statements: readonly string[],
): Promise<void> {
  for (const sql of statements) {
    const started = await client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: DEMO_CLUSTER,
        Database: database,
        SecretArn: secretArn,
        Sql: sql,
      }),
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      const described = await client.send(new DescribeStatementCommand({ Id: started.Id }));
      if (described.Status === 'FINISHED') break;
      if (described.Status === 'FAILED' || described.Status === 'ABORTED') {
        throw new Error(`Data API statement ${described.Status}: ${described.Error ?? 'no error message'}`);
      }
      if (Date.now() > deadline) throw new Error('Data API statement did not finish within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
