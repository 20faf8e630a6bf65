/**
 * Where the engine may connect: the control plane's endpoints for the cluster or workgroup (or configured
 * allowed hosts), never simply the secret's host; names and ARNs in the secret are checked first, and the
 * secret's TLS keys cannot weaken TLS. The control plane is aws-sdk-client-mock; connections go to a closed
 * loopback port, so "it tried to connect" shows as EngineUnavailableError and "it refused" as InvalidSecretError.
 */
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import type { AdminSecret } from '@rotor/core/engine';
import type { RedshiftEngineOptions } from '@rotor/engine-redshift';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stepContext } from '../support/step-context.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const redshift = new RedshiftClient({ region: 'us-east-1', credentials });
const serverless = new RedshiftServerlessClient({ region: 'us-east-1', credentials });
const redshiftMock = mockClient(redshift);
const serverlessMock = mockClient(serverless);

/** Nothing listens on port 1 of loopback: a connection attempt fails at once. */
const CLOSED = { host: '127.0.0.1', port: 1 };
const OTHER_ACCOUNT_CLUSTER = 'arn:aws:redshift:us-east-1:999999999999:cluster:analytics';
const NAMESPACE_ARN = 'arn:aws:redshift-serverless:us-east-1:123456789012:namespace/0f1e2d3c';

const engine = (options: RedshiftEngineOptions = {}) =>
  redshiftEngine({
    pg: { tls: 'disable', connectTimeoutMs: 500 },
    controlPlane: { redshift, serverless },
    ...options,
  });

const user = (overrides: Record<string, unknown> = {}) =>
  redshiftSecretSchema.parse({
    engine: 'redshift',
    host: CLOSED.host,
    port: CLOSED.port,
    username: 'app',
    password: 'AppPassw0rdXyz',
    dbClusterIdentifier: 'analytics',
    ...overrides,
  });

function clusterAt(address: string, port: number, privateIps: string[] = []) {
  redshiftMock.on(DescribeClustersCommand, { ClusterIdentifier: 'analytics' }).resolves({
    Clusters: [
      {
        ClusterIdentifier: 'analytics',
        ClusterStatus: 'available',
        Endpoint: {
          Address: address,
          Port: port,
          VpcEndpoints: [{ NetworkInterfaces: privateIps.map((ip) => ({ PrivateIpAddress: ip })) }],
        },
      },
    ],
  });
}

beforeEach(() => {
  redshiftMock.reset();
  serverlessMock.reset();
});

describe('endpoints from the control plane', () => {
  it("connects only when the secret's host is the cluster's endpoint (DescribeClusters of its dbClusterIdentifier)", async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    await expect(engine().login({ user: user() }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    expect(redshiftMock.commandCalls(DescribeClustersCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'analytics',
    });
  });

  it("accepts the private address of one of the cluster's VPC endpoints", async () => {
    clusterAt('analytics.abc.us-east-1.redshift.amazonaws.com', CLOSED.port, ['10.0.0.9', CLOSED.host]);
    await expect(engine().login({ user: user() }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
  });

  it.each([
    ['another host', { host: 'attacker.example' }],
    ['another port of the same host', { port: 5440 }],
  ])('refuses %s before any connection, naming both', async (_label, overrides) => {
    clusterAt(CLOSED.host, CLOSED.port);
    await expect(engine().login({ user: user(overrides) }, stepContext())).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(
        /is not an endpoint of cluster analytics .*refusing to send credentials/,
      ),
    });
  });

  it('asks the control plane once per step, however often the step logs in', async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    const context = stepContext();
    const subject = engine();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(subject.login({ user: user() }, context)).rejects.toMatchObject({
        code: 'ENGINE_UNAVAILABLE',
      });
    }
    expect(redshiftMock.commandCalls(DescribeClustersCommand)).toHaveLength(1);
    await expect(subject.login({ user: user() }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    expect(redshiftMock.commandCalls(DescribeClustersCommand)).toHaveLength(2);
  });

  it('uses GetWorkgroup for a Serverless workgroup', async () => {
    serverlessMock.on(GetWorkgroupCommand, { workgroupName: 'reporting' }).resolves({
      workgroup: { workgroupName: 'reporting', endpoint: { address: CLOSED.host, port: CLOSED.port } },
    });
    const secret = user({ workgroupName: 'reporting' });
    delete (secret as Record<string, unknown>).dbClusterIdentifier;
    await expect(engine().login({ user: secret }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    expect(serverlessMock.commandCalls(GetWorkgroupCommand)).toHaveLength(1);
  });

  it.each([
    ['ClusterNotFoundFault', 'INVALID_SECRET'],
    ['AccessDeniedException', 'PERMISSION_DENIED'],
    ['InternalFailure', 'ENGINE_UNAVAILABLE'],
  ])('maps %s from the control plane to %s', async (name, code) => {
    redshiftMock.on(DescribeClustersCommand).rejects(Object.assign(new Error('no'), { name }));
    await expect(engine().login({ user: user() }, stepContext())).rejects.toMatchObject({ code });
  });

  it('blames the configuration for a configured cluster that does not exist', async () => {
    redshiftMock
      .on(DescribeClustersCommand)
      .rejects(Object.assign(new Error('Cluster analytics not found.'), { name: 'ClusterNotFoundFault' }));
    await expect(
      engine({ clusterIdentifier: 'analytics' }).login({ user: user() }, stepContext()),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
    });
  });

  it('refuses a secret that names no cluster when nothing else is configured', async () => {
    const secret = user();
    delete (secret as Record<string, unknown>).dbClusterIdentifier;
    await expect(engine().login({ user: secret }, stepContext())).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
    });
    expect(redshiftMock.calls()).toHaveLength(0);
  });
});

describe('names and ARNs the secret gives', () => {
  it('refuses a secret naming another cluster than the configured one, asking nothing', async () => {
    await expect(
      engine({ clusterIdentifier: 'finance' }).preflight!({ user: user() }, stepContext()),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: 'The secret names cluster analytics, but this function rotates cluster finance',
    });
    expect(redshiftMock.calls()).toHaveLength(0);
  });

  it("refuses a cluster ARN of another account in createSecret's preflight, asking nothing", async () => {
    await expect(
      engine().preflight!(
        { user: user({ dbClusterIdentifier: OTHER_ACCOUNT_CLUSTER }) },
        stepContext({ step: 'createSecret' }),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      step: 'createSecret',
      message: expect.stringMatching(/outside this function's scope: account 999999999999/),
    });
    expect(redshiftMock.calls()).toHaveLength(0);
  });

  it("takes the identifier of a cluster ARN in the function's own account", async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    const secret = user({ dbClusterIdentifier: 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics' });
    await engine().preflight!({ user: secret }, stepContext());
    expect(redshiftMock.commandCalls(DescribeClustersCommand)[0]!.args[0].input.ClusterIdentifier).toBe(
      'analytics',
    );
  });

  it.each([
    [{ dbClusterIdentifier: 'Analytics; DROP' }, /not a Redshift cluster identifier/],
    [
      {
        dbClusterIdentifier: undefined,
        workgroupName: 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0f1e',
      },
      /name, not its ARN/,
    ],
    [{ workgroupName: 'reporting' }, /both a cluster and a Serverless workgroup/],
  ])('refuses %j', async (overrides, message) => {
    await expect(engine().preflight!({ user: user(overrides) }, stepContext())).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(message),
    });
  });

  it('refuses TLS keys that would weaken TLS before asking the control plane', async () => {
    const strict = redshiftEngine({ controlPlane: { redshift, serverless } });
    for (const downgrade of [
      { ssl: false },
      { sslmode: 'disable' },
      { tls: 'false' },
      { sslmode: 'require' },
    ]) {
      await expect(strict.login({ user: user(downgrade) }, stepContext())).rejects.toMatchObject({
        code: 'INVALID_SECRET',
        message: expect.stringMatching(/cannot turn TLS or certificate checks off/),
      });
    }
    expect(redshiftMock.calls()).toHaveLength(0);
  });
});

describe('allowed hosts from the configuration', () => {
  it('connects to an allowed host without asking the control plane, and refuses any other', async () => {
    const subject = engine({ allowedHosts: [`${CLOSED.host}:${CLOSED.port}`] });
    await expect(subject.login({ user: user() }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    await expect(subject.login({ user: user({ port: 5439 }) }, stepContext())).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/not one of this function's allowed hosts/),
    });
    expect(redshiftMock.calls()).toHaveLength(0);
  });
});

describe('a Redshift-managed admin secret', () => {
  const managed = (tags: Record<string, string>): AdminSecret => ({
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!admin-AbC',
    value: { username: 'admin', password: 'AdminPassw0rd' },
    readTags: async () => tags,
  });
  const change = (subject: ReturnType<typeof engine>, admin: AdminSecret, secret = user()) =>
    subject.setPasswords(
      { user: secret, passwords: ['NewPassw0rdXyz'], principal: { kind: 'admin', admin } },
      stepContext(),
    );

  it('refuses a cluster tag of another account before any connection', async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    await expect(
      change(engine(), managed({ 'aws:redshift:primaryclusterarn': OTHER_ACCOUNT_CLUSTER })),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/account 999999999999/),
    });
    expect(redshiftMock.calls()).toHaveLength(0);
  });

  it("refuses a cluster tag naming another cluster than the user's", async () => {
    await expect(
      change(
        engine(),
        managed({
          'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:finance',
        }),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/for cluster finance/),
    });
  });

  it("connects the admin to the user's trusted endpoint when the tag names the user's cluster", async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    await expect(
      change(
        engine(),
        managed({
          'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics',
        }),
      ),
    ).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });

  it("checks a namespace tag against the workgroup's namespace (GetWorkgroup, GetNamespace)", async () => {
    serverlessMock.on(GetWorkgroupCommand).resolves({
      workgroup: { namespaceName: 'sales', endpoint: { address: CLOSED.host, port: CLOSED.port } },
    });
    serverlessMock.on(GetNamespaceCommand, { namespaceName: 'sales' }).resolves({
      namespace: { namespaceName: 'sales', namespaceArn: NAMESPACE_ARN },
    });
    const secret = user({ workgroupName: 'reporting' });
    delete (secret as Record<string, unknown>).dbClusterIdentifier;
    await expect(
      change(engine(), managed({ 'aws:redshift-serverless:namespacearn': `${NAMESPACE_ARN}ff` }), secret),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET', message: expect.stringMatching(/another namespace/) });
    await expect(
      change(engine(), managed({ 'aws:redshift-serverless:namespacearn': NAMESPACE_ARN }), secret),
    ).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });

  it('is asked for its tags only when its value names no host (each ask is a DescribeSecret)', async () => {
    clusterAt(CLOSED.host, CLOSED.port);
    let asked = 0;
    const admin = (value: Record<string, unknown>, tags: Record<string, string>): AdminSecret => ({
      ...managed(tags),
      value: { username: 'admin', password: 'AdminPassw0rd', ...value },
      readTags: async () => {
        asked += 1;
        return tags;
      },
    });
    const user_ = user();
    // A host of its own: checked against the user's location; the tags are never read.
    await expect(
      change(engine(), admin({ host: user_.host, port: user_.port }, {}), user_),
    ).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    await expect(
      change(engine(), admin({ host: 'elsewhere.example', port: 5439 }, {}), user_),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/refusing to send admin credentials elsewhere/),
    });
    expect(asked).toBe(0);
    // No host and no Redshift tag: refused, after one ask.
    await expect(change(engine(), admin({}, { team: 'db' }), user_)).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/has no "host"/),
    });
    expect(asked).toBe(1);
  });
});
