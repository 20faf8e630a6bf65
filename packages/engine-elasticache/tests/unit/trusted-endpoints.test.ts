import {
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  type User,
} from '@aws-sdk/client-elasticache';
import { InvalidSecretError } from '@rotor/core';
import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../../src/control-plane.ts';
import {
  type CacheEndpoint,
  cachesHoldingUser,
  chooseLoginRoute,
  configuredCachesHoldingUser,
  parseCacheArn,
} from '../../src/trusted-endpoints.ts';
import { parseUserArn } from '../../src/user-ids.ts';
import { failureOf } from './support/failure.ts';
import { ACCOUNT, arnOf, FakeElastiCache, REGION } from './support/fake-elasticache.ts';

const ref = parseUserArn(arnOf('user1'))!;
const cacheArn = (
  kind: 'replicationgroup' | 'serverlesscache',
  id: string,
  account = ACCOUNT,
  region = REGION,
) => `arn:aws:elasticache:${region}:${account}:${kind}:${id}`;

function world() {
  const elasticache = new FakeElastiCache();
  const controlPlane = new ControlPlane({ client: elasticache.client });
  /** The ids each Describe call asked for, in order. */
  const asked = () => ({
    userGroups: elasticache.mock
      .commandCalls(DescribeUserGroupsCommand)
      .map((c) => c.args[0].input.UserGroupId),
    replicationGroups: elasticache.mock
      .commandCalls(DescribeReplicationGroupsCommand)
      .map((c) => c.args[0].input.ReplicationGroupId),
    serverlessCaches: elasticache.mock
      .commandCalls(DescribeServerlessCachesCommand)
      .map((c) => c.args[0].input.ServerlessCacheName),
  });
  return { elasticache, controlPlane, asked };
}

const user = (groups: string[] | undefined): User => ({
  UserId: 'user1',
  UserName: 'user1',
  ...(groups ? { UserGroupIds: groups } : {}),
});

describe('cachesHoldingUser: the caches of the user groups that hold the user', () => {
  it('trusts every cache of every group that lists the user, once each, in name order; not a group that dropped it, nor a deleted one', async () => {
    const { elasticache, controlPlane, asked } = world();
    elasticache.addUser({ UserId: 'user1', UserName: 'user1' });
    elasticache.addGroup('g-main', ['user1']);
    elasticache.addGroup('g-stale', []);
    // Added out of name order: the result is sorted, not in the order the control plane lists them.
    elasticache.addCache({
      id: 'orders',
      kind: 'replication-group',
      host: 'orders.cache',
      port: 6380,
      tls: true,
      userGroupId: 'g-main',
    });
    elasticache.addCache({
      id: 'alpha',
      kind: 'replication-group',
      host: 'alpha.cache',
      port: 6379,
      tls: false,
      userGroupId: 'g-main',
    });
    elasticache.addCache({
      id: 'sessions',
      kind: 'serverless',
      host: 'sessions.cache',
      port: 6390,
      tls: false,
      userGroupId: 'g-main',
    });
    elasticache.addCache({
      id: 'billing',
      kind: 'replication-group',
      host: 'billing.cache',
      port: 6379,
      tls: true,
      userGroupId: 'g-stale',
    });
    // A second group naming the user in upper case, with a cache the first group holds too and one of its own.
    elasticache.addCache({
      id: 'shared',
      kind: 'replication-group',
      host: 'shared.cache',
      port: 6379,
      tls: true,
      userGroupId: 'g-shared',
    });
    elasticache.mock.on(DescribeUserGroupsCommand, { UserGroupId: 'g-shared' }).resolves({
      UserGroups: [
        {
          UserGroupId: 'g-shared',
          Status: 'active',
          UserIds: ['User1'],
          ReplicationGroups: ['orders', 'shared'],
          ServerlessCaches: [],
        },
      ],
    });

    const endpoints = await cachesHoldingUser(
      controlPlane,
      ref,
      user(['g-gone', 'g-shared', 'g-stale', 'g-main']),
      'testSecret',
    );
    expect(endpoints).toEqual([
      { name: 'replication group alpha', host: 'alpha.cache', port: 6379, tls: false },
      { name: 'replication group orders', host: 'orders.cache', port: 6380, tls: true },
      { name: 'replication group shared', host: 'shared.cache', port: 6379, tls: true },
      // Serverless caches always encrypt in transit.
      { name: 'serverless cache sessions', host: 'sessions.cache', port: 6390, tls: true },
    ]);
    // The group that no longer lists the user is not followed to its caches.
    expect(asked().replicationGroups).not.toContain('billing');
    expect(asked().userGroups).toEqual(['g-gone', 'g-shared', 'g-stale', 'g-main']);
  });

  it('a user in no user group (or without the list) needs no call and has no cache', async () => {
    const { elasticache, controlPlane } = world();
    expect(await cachesHoldingUser(controlPlane, ref, user(undefined), 'testSecret')).toEqual([]);
    expect(await cachesHoldingUser(controlPlane, ref, user([]), 'testSecret')).toEqual([]);
    expect(elasticache.mock.calls()).toHaveLength(0);
  });

  it('a group that lists no caches (or omits the lists) makes no cache lookup', async () => {
    const { elasticache, controlPlane, asked } = world();
    elasticache.mock.on(DescribeUserGroupsCommand, { UserGroupId: 'g-bare' }).resolves({
      UserGroups: [{ UserGroupId: 'g-bare', Status: 'active', UserIds: ['user1'] }],
    });
    elasticache.mock.on(DescribeUserGroupsCommand, { UserGroupId: 'g-nobody' }).resolves({
      UserGroups: [{ UserGroupId: 'g-nobody', Status: 'active', ReplicationGroups: ['orders'] }],
    });
    expect(await cachesHoldingUser(controlPlane, ref, user(['g-bare', 'g-nobody']), 'testSecret')).toEqual(
      [],
    );
    expect(asked().replicationGroups).toEqual([]);
    expect(asked().serverlessCaches).toEqual([]);
  });

  it('skips a cache without an endpoint address yet; cluster mode uses the configuration endpoint; the port defaults to 6379', async () => {
    const { elasticache, controlPlane } = world();
    elasticache.mock.on(DescribeUserGroupsCommand, { UserGroupId: 'g' }).resolves({
      UserGroups: [
        {
          UserGroupId: 'g',
          UserIds: ['user1'],
          ReplicationGroups: [
            'creating',
            'no-node-group',
            'clustered',
            'clustered-creating',
            'no-port',
            'deleted',
          ],
          ServerlessCaches: ['starting', 'serverless-no-port'],
        },
      ],
    });
    const group = (ReplicationGroupId: string, fields: Record<string, unknown>) =>
      elasticache.mock
        .on(DescribeReplicationGroupsCommand, { ReplicationGroupId })
        .resolves({ ReplicationGroups: [{ ReplicationGroupId, ...fields }] });
    group('creating', {
      ClusterEnabled: false,
      NodeGroups: [{ NodeGroupId: '0001', PrimaryEndpoint: { Port: 6379 } }],
    });
    group('no-node-group', { ClusterEnabled: false, NodeGroups: [] });
    group('clustered', {
      ClusterEnabled: true,
      TransitEncryptionEnabled: true,
      ConfigurationEndpoint: { Address: 'clustered.cfg', Port: 6400 },
      NodeGroups: [{ NodeGroupId: '0001', PrimaryEndpoint: { Address: 'clustered.node', Port: 6379 } }],
    });
    group('clustered-creating', {
      ClusterEnabled: true,
      NodeGroups: [
        { NodeGroupId: '0001', PrimaryEndpoint: { Address: 'clustered-creating.node', Port: 6379 } },
      ],
    });
    group('no-port', {
      ClusterEnabled: false,
      NodeGroups: [{ NodeGroupId: '0001', PrimaryEndpoint: { Address: 'no-port.node' } }],
    });
    elasticache.mock
      .on(DescribeServerlessCachesCommand, { ServerlessCacheName: 'starting' })
      .resolves({ ServerlessCaches: [{ ServerlessCacheName: 'starting', Endpoint: { Port: 6379 } }] });
    elasticache.mock
      .on(DescribeServerlessCachesCommand, { ServerlessCacheName: 'serverless-no-port' })
      .resolves({
        ServerlessCaches: [{ ServerlessCacheName: 'serverless-no-port', Endpoint: { Address: 'sl.cache' } }],
      });

    expect(await cachesHoldingUser(controlPlane, ref, user(['g']), 'testSecret')).toEqual([
      { name: 'replication group clustered', host: 'clustered.cfg', port: 6400, tls: true },
      { name: 'replication group no-port', host: 'no-port.node', port: 6379, tls: false },
      { name: 'serverless cache serverless-no-port', host: 'sl.cache', port: 6379, tls: true },
    ]);
  });

  it('a control-plane failure on the way fails with its cause and step (throttling retryable, access denied not)', async () => {
    const { elasticache, controlPlane } = world();
    elasticache.addUser({ UserId: 'user1', UserName: 'user1' });
    elasticache.addGroupOnCache('g-main', ['user1']);
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    elasticache.mock.on(DescribeReplicationGroupsCommand).rejects(throttled);
    const failure = await failureOf(cachesHoldingUser(controlPlane, ref, user(['g-main']), 'testSecret'));
    expect(failure).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true, step: 'testSecret' });
    expect(failure.message).toContain('DescribeReplicationGroups for "orders" failed: Throttling');
    expect(failure.cause).toBe(throttled);

    const denied = Object.assign(new Error('not authorized to perform: elasticache:DescribeUserGroups'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    elasticache.mock.on(DescribeUserGroupsCommand).rejects(denied);
    const refused = await failureOf(cachesHoldingUser(controlPlane, ref, user(['g-main']), 'createSecret'));
    expect(refused).toMatchObject({ code: 'PERMISSION_DENIED', retryable: false, step: 'createSecret' });
    expect(refused.message).toContain('DescribeUserGroups for group "g-main"');
    expect(refused.cause).toBe(denied);
  });
});

describe('configuredCachesHoldingUser: the configured caches (ROTOR_CACHE_ARNS) that admit the user', () => {
  function configuredWorld() {
    const w = world();
    const { elasticache } = w;
    elasticache.addCache({
      id: 'orders',
      kind: 'replication-group',
      host: 'orders.cache',
      port: 6380,
      tls: true,
      userGroupId: 'G-Main',
    });
    elasticache.addCache({
      id: 'other',
      kind: 'replication-group',
      host: 'other.cache',
      port: 6379,
      tls: true,
      userGroupId: 'g-other',
    });
    elasticache.addCache({
      id: 'alpha',
      kind: 'serverless',
      host: 'alpha.cache',
      port: 6379,
      tls: true,
      userGroupId: 'g-main',
    });
    elasticache.addCache({ id: 'open', kind: 'serverless', host: 'open.cache', port: 6379, tls: true });
    return w;
  }
  const configured = [
    cacheArn('replicationgroup', 'orders'),
    cacheArn('serverlesscache', 'deleted'),
    cacheArn('replicationgroup', 'other'),
    cacheArn('serverlesscache', 'open'),
    cacheArn('replicationgroup', 'dropped'),
    cacheArn('serverlesscache', 'alpha'),
  ].map((arn) => parseCacheArn(arn)!);

  it('keeps those associated with one of its groups, skips deleted ones, one call per cache and none for user groups, in name order', async () => {
    const { controlPlane, asked } = configuredWorld();
    const context = stepContext({ step: 'testSecret' });
    const endpoints = await configuredCachesHoldingUser(
      controlPlane,
      configured,
      user(['g-main', 'g-x']),
      context,
    );
    expect(endpoints).toEqual([
      { name: 'replication group orders', host: 'orders.cache', port: 6380, tls: true },
      { name: 'serverless cache alpha', host: 'alpha.cache', port: 6379, tls: true },
    ]);
    expect(asked()).toEqual({
      userGroups: [],
      replicationGroups: ['orders', 'other', 'dropped'],
      serverlessCaches: ['deleted', 'open', 'alpha'],
    });
  });

  it('a configured serverless cache that no longer exists is skipped, not an error', async () => {
    const { controlPlane } = configuredWorld();
    const context = stepContext({ step: 'testSecret' });
    const only = [parseCacheArn(cacheArn('serverlesscache', 'deleted'))!];
    await expect(configuredCachesHoldingUser(controlPlane, only, user(['g-main']), context)).resolves.toEqual(
      [],
    );
  });

  it('a user in no group needs no call', async () => {
    const { elasticache, controlPlane } = configuredWorld();
    const context = stepContext({ step: 'testSecret' });
    expect(await configuredCachesHoldingUser(controlPlane, configured, user(undefined), context)).toEqual([]);
    expect(await configuredCachesHoldingUser(controlPlane, configured, user([]), context)).toEqual([]);
    expect(elasticache.mock.calls()).toHaveLength(0);
  });

  it.each([
    ['another account', cacheArn('replicationgroup', 'orders', '999999999999')],
    ['another region', cacheArn('serverlesscache', 'alpha', ACCOUNT, 'eu-west-1')],
  ])('refuses a configured cache in %s as a configuration error, before calling it', async (_label, arn) => {
    const { elasticache, controlPlane } = configuredWorld();
    const context = stepContext({ step: 'testSecret' });
    const failure = await failureOf(
      configuredCachesHoldingUser(
        controlPlane,
        [parseCacheArn(arn)!, ...configured],
        user(['g-main']),
        context,
      ),
    );
    expect(failure).toMatchObject({ code: 'INVALID_CONFIGURATION', retryable: false, step: 'testSecret' });
    expect(failure.message).toContain(`The configured cache ${arn} (ROTOR_CACHE_ARNS)`);
    expect(failure.cause).toBeInstanceOf(InvalidSecretError);
    expect(elasticache.mock.calls()).toHaveLength(0);
  });
});

describe('parseCacheArn', () => {
  it.each([
    [cacheArn('replicationgroup', 'orders'), 'replicationgroup', 'orders', 'us-east-1'],
    [cacheArn('serverlesscache', 'Sessions-2'), 'serverlesscache', 'Sessions-2', 'us-east-1'],
    // Regions numbered 10 and beyond, and the other partitions.
    [
      cacheArn('replicationgroup', 'orders', ACCOUNT, 'ap-southeast-10'),
      'replicationgroup',
      'orders',
      'ap-southeast-10',
    ],
    [
      `arn:aws-cn:elasticache:cn-north-1:${ACCOUNT}:replicationgroup:orders`,
      'replicationgroup',
      'orders',
      'cn-north-1',
    ],
    [
      `arn:aws-us-gov:elasticache:us-gov-west-1:${ACCOUNT}:serverlesscache:s`,
      'serverlesscache',
      's',
      'us-gov-west-1',
    ],
  ])('reads %s', (arn, kind, id, region) => {
    expect(parseCacheArn(arn)).toEqual({ arn, kind, id, region });
  });

  it.each([
    arnOf('user1'),
    `arn:aws:elasticache:us-east-1:${ACCOUNT}:cluster:orders-001`,
    `arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:g-main`,
    `arn:aws:memorydb:us-east-1:${ACCOUNT}:replicationgroup:orders`,
    `arn:aws:elasticache:us-east-1:12345678901:replicationgroup:orders`,
    `arn:aws:elasticache:us-east:${ACCOUNT}:replicationgroup:orders`,
    `arn:aws:elasticache:us-east-1:${ACCOUNT}:replicationgroup:1orders`,
    `arn:aws:elasticache:us-east-1:${ACCOUNT}:replicationgroup:orders/x`,
    ` ${cacheArn('replicationgroup', 'orders')}`,
    `${cacheArn('replicationgroup', 'orders')}\n`,
  ])('refuses %j', (arn) => {
    expect(parseCacheArn(arn)).toBeUndefined();
  });
});

describe('chooseLoginRoute: a secret may only pick a trusted endpoint', () => {
  const configured: CacheEndpoint = {
    name: 'the configured cache',
    host: 'shared.cache',
    port: 6379,
    tls: true,
  };
  const orders: CacheEndpoint = {
    name: 'replication group orders',
    host: 'orders.cache',
    port: 6380,
    tls: true,
  };
  const sharedOther: CacheEndpoint = {
    name: 'replication group shared',
    host: 'shared.cache',
    port: 6390,
    tls: false,
  };
  const route = (secretHost: string | undefined, secretPort: number | undefined, withConfigured = true) =>
    chooseLoginRoute({
      secretHost,
      secretPort,
      configured: withConfigured ? configured : undefined,
      caches: [orders, sharedOther],
      username: 'user1',
      step: 'testSecret',
    });

  it('without a host in the secret: the configured endpoint, else every cache holding the user', () => {
    expect(route(undefined, undefined)).toEqual({ kind: 'chosen', endpoint: configured });
    expect(route(undefined, undefined, false)).toEqual({ kind: 'caches', endpoints: [orders, sharedOther] });
  });

  it('a host naming a trusted endpoint picks it (case and spaces ignored), the port telling same-host endpoints apart', () => {
    expect(route(' ORDERS.cache ', undefined)).toEqual({ kind: 'chosen', endpoint: orders });
    expect(route('orders.cache', 6380)).toEqual({ kind: 'chosen', endpoint: orders });
    expect(route('shared.cache', 6390)).toEqual({ kind: 'chosen', endpoint: sharedOther });
    // Same host without a port: the configured endpoint comes first.
    expect(route('shared.cache', undefined)).toEqual({ kind: 'chosen', endpoint: configured });
  });

  it.each([
    ['an unknown host', 'attacker.example', undefined, 'attacker.example'],
    ['a trusted host at another port', 'orders.cache', 6379, 'orders.cache:6379'],
  ])('refuses %s as an invalid secret, naming the trusted endpoints', (_label, host, port, named) => {
    let failure: unknown;
    try {
      route(host, port);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'INVALID_SECRET', retryable: false, step: 'testSecret' });
    const message = (failure as Error).message;
    expect(message).toContain(
      `The secret's host ${named} is not an endpoint this function trusts for user "user1"`,
    );
    expect(message).toContain(
      'the configured cache at shared.cache:6379; replication group orders at orders.cache:6380; replication group shared at shared.cache:6390',
    );
    expect(message).toContain('no password was sent');
  });

  it('with nothing trusted, any host is refused and the message says why', () => {
    expect(() =>
      chooseLoginRoute({
        secretHost: 'orders.cache',
        secretPort: undefined,
        configured: undefined,
        caches: [],
        username: 'user1',
        step: 'testSecret',
      }),
    ).toThrow(/none: no configured cache, and no cache holds the user/);
  });
});
