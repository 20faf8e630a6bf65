/**
 * The attacks of issue 13 that a writer of the secret can try, against the built bundle in the local AWS
 * endpoint: redirect the passwords to a listener of its own, turn TLS off, or point the function at another
 * account's cluster. Each rotation fails in createSecret with a clear error, writes nothing, and the listener
 * sees no connection at all.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import {
  type FakePostgresListener,
  type PostgresServerHandle,
  startFakePostgresListener,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, canLogin, md5PasswordHash, quoteIdent } from './support.ts';

let server: PostgresServerHandle;
let listener: FakePostgresListener;
let aws: LocalAws;
let sm: SecretsManagerClient;
let bundle: ReturnType<typeof buildBundle>;
const arns: Record<string, string> = {};

beforeAll(async () => {
  bundle = buildBundle();
  server = await startPostgresServer({ authMethod: 'md5' });
  listener = await startFakePostgresListener();
  aws = await startLocalAws({
    rotation: { maxAttempts: 1, retryDelayMs: 50 },
    redshiftData: { clusters: { analytics: server.connectionString() } },
  });
  const register = (name: string, environment: Record<string, string>) => {
    arns[name] = aws.registerFunction({
      functionName: name,
      bundlePath: bundle.bundlePath,
      handler: 'index.handler',
      timeoutSeconds: 30,
      environment: { POWERTOOLS_LOG_LEVEL: 'INFO', ...environment },
    }).functionArn;
  };
  const lookup = { ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: 'analytics', ROTOR_REDSHIFT_TLS: 'disable' };
  register('pg', { ...lookup, ROTOR_REDSHIFT_TRANSPORT: 'pg' });
  register('data-api', { ...lookup, ROTOR_REDSHIFT_TRANSPORT: 'data-api' });
  // Verified TLS (the default), allowed to reach only the listener: what the secret asks cannot weaken it.
  register('verified', { ROTOR_REDSHIFT_ALLOWED_HOSTS: `${listener.host}:${listener.port}` });
  sm = new SecretsManagerClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
});

afterAll(async () => {
  sm?.destroy();
  await aws?.stop();
  await listener?.close();
  await server?.stop();
  bundle?.cleanup();
});

async function createLogin(user: string, password: string) {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    await client.query(`CREATE USER ${quoteIdent(user)} PASSWORD '${md5PasswordHash(password, user)}'`);
  } finally {
    await client.end();
  }
}

/** Rotates `name` with function `fn`; returns the failed invocation (there must be one). */
async function failedRotation(name: string, value: Record<string, unknown>, fn: string) {
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
  await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arns[fn] }));
  const record = await aws.waitForRotation(name, { timeoutMs: 30_000 });
  expect(record.status).toBe('failed');
  const failed = aws.invocations().filter((i) => i.secretId?.includes(name) && i.outcome === 'failed');
  expect(failed).toHaveLength(1);
  // Nothing written: AWSCURRENT is the value created, and the pending version never got a value.
  const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
  expect(JSON.parse(current.SecretString!)).toEqual(value);
  await expect(
    sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
  ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  return failed[0]!;
}

const secretValue = (username: string, password: string, extra: Record<string, unknown> = {}) => ({
  engine: 'redshift',
  host: server.host,
  port: server.port,
  username,
  password,
  dbname: 'postgres',
  dbClusterIdentifier: 'analytics',
  ...extra,
});

describe('a secret cannot redirect, downgrade or re-target the rotation', () => {
  it.each(['pg', 'data-api'])(
    '%s: a host that is not the cluster endpoint DescribeClusters reports gets no connection',
    async (fn) => {
      const user = `redirect_${fn.replace('-', '_')}`;
      const password = `Redirect1${fn.replace('-', '')}Password`;
      await createLogin(user, password);
      const failed = await failedRotation(
        `redirect-${fn}`,
        secretValue(user, password, { host: listener.host, port: listener.port }),
        fn,
      );
      expect(failed).toMatchObject({ step: 'createSecret', errorType: 'InvalidSecretError' });
      expect(failed.errorMessage).toMatch(/is not an endpoint of cluster analytics/);
      expect(listener.connections).toBe(0);
      expect(
        await canLogin((u, p) => server.connectionString({ user: u, password: p }), user, password),
      ).toBe(true);
    },
  );

  it('the secret\'s sslmode "disable" cannot turn TLS off: refused, and the listener sees no connection', async () => {
    const failed = await failedRotation(
      'downgrade',
      secretValue('downgrade', 'Downgrade1Password', {
        host: listener.host,
        port: listener.port,
        sslmode: 'disable',
        ssl: false,
      }),
      'verified',
    );
    expect(failed).toMatchObject({ step: 'createSecret', errorType: 'InvalidSecretError' });
    expect(failed.errorMessage).toMatch(/asks for weaker TLS/);
    expect(listener.connections).toBe(0);
  });

  it('a cluster ARN of another account is refused before any Redshift call or Data API statement', async () => {
    await createLogin('foreign_arn', 'ForeignArn1Password');
    aws.resetApiCalls();
    const failed = await failedRotation(
      'foreign-arn',
      secretValue('foreign_arn', 'ForeignArn1Password', {
        dbClusterIdentifier: 'arn:aws:redshift:us-east-1:999999999999:cluster:analytics',
      }),
      'data-api',
    );
    expect(failed).toMatchObject({ step: 'createSecret', errorType: 'InvalidSecretError' });
    expect(failed.errorMessage).toMatch(/outside this function's scope: account 999999999999/);
    expect(aws.apiCalls().redshift).toBeUndefined();
    expect(aws.apiCalls()['redshift-data']).toBeUndefined();
  });
});
