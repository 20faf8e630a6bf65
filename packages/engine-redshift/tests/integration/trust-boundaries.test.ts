/**
 * What a writer of the secret cannot make the function do, through core's protocol against a real
 * PostgreSQL (md5 authentication) and the local Redshift control plane (DescribeClusters for the cluster
 * "analytics"): send credentials to a host of its choice, turn TLS off, or act on a cluster of another
 * account. Each refusal happens before anything is written, and the fake listener proves nothing arrived.
 */
import { randomUUID } from 'node:crypto';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { createRotationStepRunner, type RotorLogger } from '@rotor/core';
import type { RedshiftEngineOptions } from '@rotor/engine-redshift';
import { redshiftEngine } from '@rotor/engine-redshift';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import {
  type FakePostgresListener,
  type PostgresServerHandle,
  startFakePostgresListener,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import { InMemorySecretsManager } from '@rotor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5PasswordHash, quoteIdent } from '../../src/sql.ts';
import { canLogin as canLoginTo, superuser as superuserOf } from '../support/postgres.ts';

let server: PostgresServerHandle;
let aws: LocalAws;
let listener: FakePostgresListener;
let redshift: RedshiftClient;
let serverless: RedshiftServerlessClient;
const statements: string[] = [];
const logLines: string[] = [];
const logger: RotorLogger = {
  debug: (m) => logLines.push(m),
  info: (m) => logLines.push(m),
  warn: (m) => logLines.push(m),
  error: (m) => logLines.push(m),
};
const OTHER_ACCOUNT_CLUSTER = 'arn:aws:redshift:us-east-1:999999999999:cluster:analytics';

/** The function: endpoints from the local control plane, TLS off only because the local PostgreSQL has none. */
const engine = (options: RedshiftEngineOptions = {}) =>
  redshiftEngine({
    pg: { tls: 'disable', connectTimeoutMs: 2_000 },
    controlPlane: { redshift, serverless },
    dialect: 'postgresql',
    onStatement: (sql) => statements.push(sql),
    ...options,
  });

const superuser = (sql: string) => superuserOf(server, sql);
const canLogin = (user: string, password: string) => canLoginTo(server, user, password);

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}) {
  return {
    engine: 'redshift',
    host: server.host,
    port: server.port,
    username,
    password,
    dbname: 'postgres',
    dbClusterIdentifier: 'analytics',
    ...extra,
  };
}

/** Runs steps of one rotation until one fails; returns that failure (or undefined). */
async function rotate(
  store: InMemorySecretsManager,
  arn: string,
  options: RedshiftEngineOptions = {},
): Promise<{ failedStep?: string; error?: { code?: string; message?: string } }> {
  const run = createRotationStepRunner({ engine: engine(options), store, logger });
  const token = randomUUID();
  store.startRotation(arn, token);
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
    try {
      await run({ Step, SecretId: arn, ClientRequestToken: token });
    } catch (error) {
      return { failedStep: Step, error: error as { code?: string; message?: string } };
    }
  }
  return {};
}

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'md5', logStatements: true });
  aws = await startLocalAws({ redshiftData: { clusters: { analytics: server.connectionString() } } });
  const config = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials, maxAttempts: 1 };
  redshift = new RedshiftClient(config);
  serverless = new RedshiftServerlessClient(config);
  listener = await startFakePostgresListener();
});

afterAll(async () => {
  redshift?.destroy();
  serverless?.destroy();
  await listener?.close();
  await aws?.stop();
  await server?.stop();
});

describe('the endpoint comes from the control plane', () => {
  it('rotates when the secret names the endpoint DescribeClusters reports (negative control)', async () => {
    const initial = 'Trusted1Password';
    await superuser(`CREATE USER trusted PASSWORD '${md5PasswordHash(initial, 'trusted')}'`);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('trusted', secretFor('trusted', initial));
    aws.resetApiCalls();
    expect(await rotate(store, arn)).toEqual({});
    expect(await canLogin('trusted', String(store.valueAt(arn, 'AWSCURRENT')!.password))).toBe(true);
    expect(await canLogin('trusted', initial)).toBe(false);
    // One lookup per step that connects (createSecret's preflight, setSecret, testSecret).
    expect(aws.apiCalls().redshift?.DescribeClusters).toBe(3);
  });

  it('a secret whose host is a listener of its own: refused in createSecret, no connection, nothing written', async () => {
    const password = 'Redirected1Password';
    await superuser(`CREATE USER redirected PASSWORD '${md5PasswordHash(password, 'redirected')}'`);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret(
      'redirected',
      secretFor('redirected', password, { host: listener.host, port: listener.port }),
    );
    const before = statements.length;
    const outcome = await rotate(store, arn);
    expect(outcome.failedStep).toBe('createSecret');
    expect(outcome.error).toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(
        /is not an endpoint of cluster analytics .*refusing to send credentials/,
      ),
    });
    expect(listener.connections).toBe(0);
    expect(listener.received().includes(password)).toBe(false);
    expect(store.writes()).toEqual([]);
    expect(statements.length).toBe(before);
    expect(await canLogin('redirected', password)).toBe(true);
  });
});

describe('the secret cannot turn TLS off', () => {
  it('refuses sslmode "disable" in createSecret against verified TLS, with no connection at all', async () => {
    const store = new InMemorySecretsManager();
    const arn = store.createSecret(
      'downgrade',
      secretFor('downgrade', 'Downgrade1Password', {
        host: listener.host,
        port: listener.port,
        sslmode: 'disable',
        ssl: false,
      }),
    );
    const outcome = await rotate(store, arn, {
      pg: { tls: 'verify-full', connectTimeoutMs: 2_000 },
      allowedHosts: [`${listener.host}:${listener.port}`],
    });
    expect(outcome).toMatchObject({
      failedStep: 'createSecret',
      error: { code: 'INVALID_SECRET', message: expect.stringMatching(/asks for weaker TLS/) },
    });
    expect(listener.connections).toBe(0);
    expect(store.writes()).toEqual([]);
  });

  it('without the downgrade keys the same function asks the listener for TLS first (negative control)', async () => {
    const store = new InMemorySecretsManager();
    const arn = store.createSecret(
      'tls-asked',
      secretFor('tls_asked', 'TlsAsked1Password', { host: listener.host, port: listener.port }),
    );
    const outcome = await rotate(store, arn, {
      pg: { tls: 'verify-full', connectTimeoutMs: 2_000 },
      allowedHosts: [`${listener.host}:${listener.port}`],
    });
    // createSecret only checks where it would connect; setSecret's first login meets the TLS refusal.
    expect(outcome).toMatchObject({ failedStep: 'setSecret', error: { code: 'ENGINE_UNAVAILABLE' } });
    expect(listener.sslRequests).toBeGreaterThan(0);
    expect(listener.received().includes('TlsAsked1Password')).toBe(false);
    expect(listener.received().includes('tls_asked')).toBe(false);
  });
});

describe('ARNs must lie in the function account', () => {
  it('refuses a cluster ARN of another account in createSecret, asking and writing nothing', async () => {
    const password = 'Foreign1Password';
    await superuser(`CREATE USER foreign_user PASSWORD '${md5PasswordHash(password, 'foreign_user')}'`);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret(
      'foreign',
      secretFor('foreign_user', password, { dbClusterIdentifier: OTHER_ACCOUNT_CLUSTER }),
    );
    aws.resetApiCalls();
    const before = statements.length;
    const outcome = await rotate(store, arn);
    expect(outcome).toMatchObject({
      failedStep: 'createSecret',
      error: { code: 'INVALID_SECRET', message: expect.stringMatching(/account 999999999999/) },
    });
    expect(store.writes()).toEqual([]);
    expect(statements.length).toBe(before);
    expect(aws.apiCalls().redshift).toBeUndefined();
    expect(await canLogin('foreign_user', password)).toBe(true);
  });

  it("refuses a Redshift-managed admin secret tagged with another account's cluster: no clone is created", async () => {
    const password = 'Managed1Password';
    await superuser(`CREATE USER managed_app PASSWORD '${md5PasswordHash(password, 'managed_app')}'`);
    const store = new InMemorySecretsManager();
    const adminArn = store.createSecret(
      'redshift!analytics-admin',
      { username: server.user, password: server.password },
      { tags: { 'aws:redshift:primaryclusterarn': OTHER_ACCOUNT_CLUSTER } },
    );
    const arn = store.createSecret('managed', secretFor('managed_app', password, { masterarn: adminArn }));
    const before = statements.length;
    const outcome = await rotate(store, arn);
    expect(outcome).toMatchObject({
      failedStep: 'setSecret',
      error: { code: 'INVALID_SECRET', message: expect.stringMatching(/account 999999999999/) },
    });
    expect(statements.length).toBe(before);
    const clone = await superuser(`SELECT 1 FROM pg_user WHERE usename = ${`'managed_app_clone'`}`);
    expect(clone.rowCount).toBe(0);
    expect(store.valueAt(arn, 'AWSCURRENT')!.username).toBe('managed_app');
  });

  it("uses a Redshift-managed admin secret of the user's own cluster, at the trusted endpoint", async () => {
    const password = 'Owned1Password';
    await superuser(
      `CREATE USER ${quoteIdent('owned_app')} PASSWORD '${md5PasswordHash(password, 'owned_app')}'`,
    );
    const store = new InMemorySecretsManager();
    const adminArn = store.createSecret(
      'redshift!analytics-admin-own',
      { username: server.user, password: server.password },
      {
        tags: {
          'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics',
        },
      },
    );
    const arn = store.createSecret('owned', secretFor('owned_app', password, { masterarn: adminArn }));
    expect(await rotate(store, arn)).toEqual({});
    expect(store.valueAt(arn, 'AWSCURRENT')!.username).toBe('owned_app_clone');
    expect(await canLogin('owned_app_clone', String(store.valueAt(arn, 'AWSCURRENT')!.password))).toBe(true);
  });
});
