import {
  CreateUserCommand,
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../../src/control-plane.ts';
import { parseUserArn } from '../../src/user-ids.ts';
import { failureOf } from './support/failure.ts';
import { arnOf, FakeElastiCache } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

const ref = parseUserArn(arnOf('user1'))!;
const PASSWORD = 'Pw-0123456789-abcdef';

const fault = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 }, ...extra });

/** Each control-plane call, what it names in a failure, and the SDK command behind it. */
const CALLS = [
  [
    'DescribeUsers',
    'DescribeUsers for user id "user1"',
    DescribeUsersCommand,
    (cp: ControlPlane) => cp.findUser(ref, 'testSecret'),
  ],
  [
    'DescribeUserGroups',
    'DescribeUserGroups for group "g-main"',
    DescribeUserGroupsCommand,
    (cp: ControlPlane) => cp.findUserGroup(ref, 'g-main', 'testSecret'),
  ],
  [
    'DescribeReplicationGroups',
    'DescribeReplicationGroups for "orders"',
    DescribeReplicationGroupsCommand,
    (cp: ControlPlane) => cp.findReplicationGroup(ref, 'orders', 'testSecret'),
  ],
  [
    'DescribeServerlessCaches',
    'DescribeServerlessCaches for "sessions"',
    DescribeServerlessCachesCommand,
    (cp: ControlPlane) => cp.findServerlessCache(ref, 'sessions', 'testSecret'),
  ],
  [
    'ModifyUser',
    'ModifyUser for user id "user1"',
    ModifyUserCommand,
    (cp: ControlPlane) => cp.modifyUser(ref, { UserId: 'user1', Passwords: [PASSWORD] }, 'testSecret'),
  ],
  [
    'CreateUser',
    'CreateUser for user id "user1"',
    CreateUserCommand,
    (cp: ControlPlane) =>
      cp.createUser(
        ref,
        { UserId: 'user1', UserName: 'user1', Engine: 'redis', AccessString: 'on', Passwords: [PASSWORD] },
        'testSecret',
      ),
  ],
  [
    'ModifyUserGroup',
    'ModifyUserGroup adding "user1" to group "g-main"',
    ModifyUserGroupCommand,
    (cp: ControlPlane) => cp.addUserToGroup(ref, 'g-main', 'testSecret'),
  ],
] as const;

/** What each kind of fault becomes, whatever the call. */
const FAULTS = [
  [
    'throttling',
    fault('Throttling', 'Rate exceeded', { $retryable: { throttling: true } }),
    { code: 'ENGINE_UNAVAILABLE', retryable: true },
  ],
  [
    'a 5xx',
    fault('InternalFailure', 'internal error', { $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    { code: 'ENGINE_UNAVAILABLE', retryable: true },
  ],
  [
    'access denied',
    fault('AccessDenied', 'not authorized to perform this action', { $metadata: { httpStatusCode: 403 } }),
    { code: 'PERMISSION_DENIED', retryable: false },
  ],
  [
    'expired credentials',
    fault('ExpiredTokenException', 'The security token included in the request is expired'),
    { code: 'PERMISSION_DENIED', retryable: false },
  ],
  [
    'a busy user',
    fault('InvalidUserStateFault', 'User has status modifying'),
    { code: 'ENGINE_UNAVAILABLE', retryable: true },
  ],
  [
    'a busy group',
    fault('InvalidUserGroupStateFault', 'group is not active'),
    { code: 'ENGINE_UNAVAILABLE', retryable: true },
  ],
  [
    'a refused parameter',
    fault('InvalidParameterValueException', 'bad value'),
    { code: 'ENGINE_FAILED', retryable: false },
  ],
] as const;

/** The fake's client answers `command` with `error` (the commands' input types differ; any of them will do). */
const failWith = (elasticache: FakeElastiCache, command: (typeof CALLS)[number][2], error: Error) =>
  elasticache.mock.on(command as typeof DescribeUsersCommand).rejects(error);

describe('control-plane faults become Rotor errors that name the call and keep the cause', () => {
  for (const [call, what, command, run] of CALLS) {
    it.each(FAULTS)(`${call}: %s`, async (_label, error, expected) => {
      const elasticache = new FakeElastiCache();
      failWith(elasticache, command, error);
      const failure = await failureOf(run(new ControlPlane({ client: elasticache.client })));
      expect(failure).toMatchObject({ ...expected, step: 'testSecret' });
      expect(failure.message.startsWith(`${what} failed: ${error.name} (${error.message})`)).toBe(true);
      expect(failure.cause).toBe(error);
      if (expected.code === 'PERMISSION_DENIED') expect(failure.message).toContain("the function's IAM role");
      if (error.name.startsWith('InvalidUser')) expect(failure.message).toContain('retry later');
    });
  }

  it('a password the service echoes in its message is scrubbed (ModifyUser, CreateUser)', async () => {
    for (const [, , command, run] of CALLS.filter(
      ([call]) => call === 'ModifyUser' || call === 'CreateUser',
    )) {
      const elasticache = new FakeElastiCache();
      failWith(elasticache, command, fault('InvalidParameterValueException', `Invalid password ${PASSWORD}`));
      const failure = await failureOf(run(new ControlPlane({ client: elasticache.client })));
      expect(failure.message).toContain('Invalid password [REDACTED]');
      expect(failure.message).not.toContain(PASSWORD);
    }
  });
});

describe('what "not found" means for each call', () => {
  it('a missing user, group, replication group or serverless cache is an answer (undefined), not a failure', async () => {
    const elasticache = new FakeElastiCache();
    const controlPlane = new ControlPlane({ client: elasticache.client });
    expect(await controlPlane.findUser(ref, 'testSecret')).toBeUndefined();
    expect(await controlPlane.findUserGroup(ref, 'g-gone', 'testSecret')).toBeUndefined();
    expect(await controlPlane.findReplicationGroup(ref, 'gone', 'testSecret')).toBeUndefined();
    expect(await controlPlane.findServerlessCache(ref, 'gone', 'testSecret')).toBeUndefined();
    // The fake answered each with its *NotFoundFault.
    expect(elasticache.mock.calls()).toHaveLength(4);
  });

  it("another resource's not-found fault is not taken for the one asked about", async () => {
    const elasticache = new FakeElastiCache();
    const controlPlane = new ControlPlane({ client: elasticache.client });
    const other = fault('CacheClusterNotFoundFault', 'cluster not found');
    elasticache.mock.on(DescribeUserGroupsCommand).rejects(other);
    elasticache.mock.on(DescribeReplicationGroupsCommand).rejects(other);
    elasticache.mock.on(DescribeServerlessCachesCommand).rejects(other);
    for (const run of [
      () => controlPlane.findUserGroup(ref, 'g-main', 'testSecret'),
      () => controlPlane.findReplicationGroup(ref, 'orders', 'testSecret'),
      () => controlPlane.findServerlessCache(ref, 'sessions', 'testSecret'),
    ]) {
      expect(await failureOf(run())).toMatchObject({ code: 'ENGINE_FAILED', retryable: false });
    }
  });

  it('the user missing when it is changed is USER_NOT_FOUND; an existing one on CreateUser is "already there"', async () => {
    const elasticache = new FakeElastiCache();
    const controlPlane = new ControlPlane({ client: elasticache.client });
    const failure = await failureOf(
      controlPlane.modifyUser(ref, { UserId: 'user1', Passwords: [PASSWORD] }, 'setSecret'),
    );
    expect(failure).toMatchObject({ code: 'USER_NOT_FOUND', retryable: false, step: 'setSecret' });
    elasticache.addUser({ UserId: 'user1', UserName: 'user1' });
    const input = {
      UserId: 'user1',
      UserName: 'user1',
      Engine: 'redis',
      AccessString: 'on',
      Passwords: [PASSWORD],
    };
    expect(await controlPlane.createUser(ref, input, 'setSecret')).toBe(false);
    expect(
      await controlPlane.createUser(
        parseUserArn(arnOf('user2'))!,
        { ...input, UserId: 'user2' },
        'setSecret',
      ),
    ).toBe(true);
  });

  it('answers only for the id asked: a listing naming other ids is "not found"', async () => {
    const elasticache = new FakeElastiCache();
    const controlPlane = new ControlPlane({ client: elasticache.client });
    elasticache.mock.on(DescribeUsersCommand).resolves({ Users: [{ UserId: 'user10', UserName: 'user10' }] });
    elasticache.mock.on(DescribeUserGroupsCommand).resolves({ UserGroups: [{ UserGroupId: 'g-main-2' }] });
    elasticache.mock
      .on(DescribeReplicationGroupsCommand)
      .resolves({ ReplicationGroups: [{ ReplicationGroupId: 'orders-2' }] });
    elasticache.mock
      .on(DescribeServerlessCachesCommand)
      .resolves({ ServerlessCaches: [{ ServerlessCacheName: 'sessions-2' }] });
    expect(await controlPlane.findUser(ref, 'testSecret')).toBeUndefined();
    expect(await controlPlane.findUserGroup(ref, 'g-main', 'testSecret')).toBeUndefined();
    expect(await controlPlane.findReplicationGroup(ref, 'orders', 'testSecret')).toBeUndefined();
    expect(await controlPlane.findServerlessCache(ref, 'sessions', 'testSecret')).toBeUndefined();
  });
});

describe('a user group deleted between DescribeUsers and DescribeUserGroups', () => {
  it('is skipped when the caches holding the user are looked up: the step goes on with the other groups', async () => {
    const world = createWorld({
      secret: { username: 'user1', user_arn: arnOf('user1'), password: PASSWORD, host: 'orders.cache' },
    });
    // DescribeUsers still lists g-gone; DescribeUserGroups answers UserGroupNotFoundFault for it.
    world.elasticache.addUser({
      UserId: 'user1',
      UserName: 'user1',
      passwords: [PASSWORD],
      UserGroupIds: ['g-gone'],
    });
    world.elasticache.addGroupOnCache('g-main', ['user1']);
    const secret = world.store.valueAt('AWSCURRENT') as { username: string; user_arn: string; host: string };
    await expect(
      world.engine.preflight!({ user: secret }, stepContext({ step: 'createSecret' })),
    ).resolves.toEqual({
      status: 'ready',
    });
    const asked = world.elasticache.mock
      .commandCalls(DescribeUserGroupsCommand)
      .map((c) => c.args[0].input.UserGroupId);
    expect(asked).toEqual(['g-gone', 'g-main']);
  });
});

describe('the client', () => {
  it("talks to the region of the user's ARN, one client per region, unless a region is configured", async () => {
    const controlPlane = new ControlPlane({});
    const east = controlPlane.client({ region: 'us-east-1' });
    const west = controlPlane.client({ region: 'eu-west-1' });
    expect(await east.config.region()).toBe('us-east-1');
    expect(await west.config.region()).toBe('eu-west-1');
    expect(controlPlane.client({ region: 'us-east-1' })).toBe(east);
    const pinned = new ControlPlane({ region: 'ap-southeast-10' });
    expect(await pinned.client({ region: 'us-east-1' }).config.region()).toBe('ap-southeast-10');
  });
});
