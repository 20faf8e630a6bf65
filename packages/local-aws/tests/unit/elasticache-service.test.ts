import { AwsApiError, type ServiceContext } from '@rotor/local-aws/service';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/elasticache/authentication.ts';
import { type AclBackend, createElastiCacheService } from '../../src/elasticache/index.ts';

const context: ServiceContext = {
  region: 'us-east-1',
  accountId: '111122223333',
  readSecretString: async () => undefined,
};
const P1 = 'first-password-0001';
const P2 = 'second-password-0002';

/** Records what would reach Redis; `failOnce` makes the next setUser fail like a Redis outage. */
function fakeBackend(options: { port?: number; tls?: boolean } = {}) {
  const calls: Array<{ op: string; name: string; rules?: readonly string[] }> = [];
  let failNext = 0;
  const backend: AclBackend = {
    endpoint: { host: '127.0.0.1', port: options.port ?? 6390 },
    transitEncryption: options.tls ?? true,
    async checkRules() {
      // Validation only: writes nothing, so it is not recorded.
    },
    async setUser(name, rules) {
      if (failNext > 0) {
        failNext--;
        throw new Error('connection refused');
      }
      calls.push({ op: 'setUser', name, rules });
    },
    async deleteUser(name) {
      calls.push({ op: 'deleteUser', name });
    },
    async close() {},
  };
  return {
    backend,
    calls,
    failOnce() {
      failNext = 1;
    },
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const status = (xml: string) => /<Status>([^<]*)<\/Status>/.exec(xml)?.[1];
const createUser = (extra: Record<string, string> = {}) =>
  form({
    UserId: 'u1',
    UserName: 'app',
    Engine: 'redis',
    AccessString: 'on ~* +@all',
    'Passwords.member.1': P1,
    ...extra,
  });

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsApiError) return error.code;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

const APP_RULES = [`#${hashPassword(P1)}`, 'on', '~*', '+@all'];
const group = (id: string, ...userIds: string[]) =>
  form({
    UserGroupId: id,
    Engine: 'redis',
    ...Object.fromEntries(
      ['default', ...userIds].map((userId, index) => [`UserIds.member.${index + 1}`, userId]),
    ),
  });
const associate = (userGroupId: string, replicationGroupId = 'rotor-local') =>
  form({ ReplicationGroupId: replicationGroupId, 'UserGroupIdsToAdd.member.1': userGroupId });
const field = (xml: string, name: string) => new RegExp(`<${name}>(.*?)</${name}>`).exec(xml)?.[1];

describe('ElastiCache service state machine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a user reach a cache only through the user group associated with it', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend });
    await service.handle('CreateUser', createUser(), context);
    expect(fake.calls).toEqual([]);
    const created = await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    // A new group is attached to nothing until it is associated (RBAC guide: "ReplicationGroups": []).
    expect(field(created, 'ReplicationGroups')).toBe('');
    expect(fake.calls).toEqual([]);

    const modified = await service.handle('ModifyReplicationGroup', associate('g1'), context);
    expect(field(modified, 'UserGroupIds')).toBe('<member>g1</member>');
    expect(fake.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);
    const described = await service.handle('DescribeUserGroups', form({ UserGroupId: 'g1' }), context);
    expect(field(described, 'ReplicationGroups')).toBe('<member>rotor-local</member>');

    // Out of the group, out of the cache: ACL DELUSER, which also ends the user's connections.
    await service.handle(
      'ModifyUserGroup',
      form({ UserGroupId: 'g1', 'UserIdsToRemove.member.1': 'u1' }),
      context,
    );
    expect(fake.calls.at(-1)).toEqual({ op: 'deleteUser', name: 'app' });
    await service.handle(
      'ModifyUserGroup',
      form({ UserGroupId: 'g1', 'UserIdsToAdd.member.1': 'u1' }),
      context,
    );
    expect(fake.calls.at(-1)).toEqual({ op: 'setUser', name: 'app', rules: APP_RULES });
    // Dissociating the group removes its users from the cache too.
    await service.handle(
      'ModifyReplicationGroup',
      form({ ReplicationGroupId: 'rotor-local', RemoveUserGroups: 'true' }),
      context,
    );
    expect(fake.calls.at(-1)).toEqual({ op: 'deleteUser', name: 'app' });
  });

  it('keeps groups creating/modifying and caches modifying for the delay, with the changes pending', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend, modifyingDelayMs: 1000 });
    await service.handle('CreateUser', createUser(), context);
    const created = await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    expect(status(created)).toBe('creating');
    // Not yet active: it cannot be associated.
    expect(await errorCode(service.handle('ModifyReplicationGroup', associate('g1'), context))).toBe(
      'InvalidUserGroupState',
    );
    await vi.advanceTimersByTimeAsync(1000);
    const modifying = await service.handle('ModifyReplicationGroup', associate('g1'), context);
    expect(status(modifying)).toBe('modifying');
    expect(field(modifying, 'PendingModifiedValues')).toBe(
      '<UserGroups><UserGroupIdsToAdd><member>g1</member></UserGroupIdsToAdd><UserGroupIdsToRemove></UserGroupIdsToRemove></UserGroups>',
    );
    expect(field(modifying, 'UserGroupIds')).toBe('');
    expect(await errorCode(service.handle('ModifyReplicationGroup', associate('g1'), context))).toBe(
      'InvalidReplicationGroupState',
    );
    expect(fake.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);
    const described = await service.handle('DescribeReplicationGroups', form({}), context);
    expect(status(described)).toBe('available');
    expect(field(described, 'PendingModifiedValues')).toBe('');
  });

  it('applies a user change to its caches only when the user turns active', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend, modifyingDelayMs: 1000 });
    await service.handle('CreateUser', createUser(), context);
    await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    await vi.advanceTimersByTimeAsync(1000);
    await service.handle('ModifyReplicationGroup', associate('g1'), context);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);

    const modified = await service.handle(
      'ModifyUser',
      form({ UserId: 'u1', 'Passwords.member.1': P2 }),
      context,
    );
    expect(status(modified)).toBe('modifying');
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls.at(-1)).toEqual({
      op: 'setUser',
      name: 'app',
      rules: [`#${hashPassword(P2)}`, 'on', '~*', '+@all'],
    });
    expect(status(await service.handle('DescribeUsers', form({ UserId: 'u1' }), context))).toBe('active');
  });

  it('keeps the cache modifying and retries when Redis refuses the change', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend, modifyingDelayMs: 100 });
    await service.handle('CreateUser', createUser(), context);
    await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    await vi.advanceTimersByTimeAsync(100);
    fake.failOnce();
    await service.handle('ModifyReplicationGroup', associate('g1'), context);
    await vi.advanceTimersByTimeAsync(100);
    expect(status(await service.handle('DescribeReplicationGroups', form({}), context))).toBe('modifying');
    await vi.advanceTimersByTimeAsync(500);
    expect(fake.calls.map((call) => call.op)).toEqual(['setUser']);
    expect(status(await service.handle('DescribeReplicationGroups', form({}), context))).toBe('available');
  });

  it('refuses associations AWS refuses, and writes nothing', async () => {
    const fake = fakeBackend();
    const plain = fakeBackend({ port: 6391, tls: false });
    const service = createElastiCacheService({
      caches: [
        { replicationGroupId: 'rg-tls', aclBackend: fake.backend },
        { replicationGroupId: 'rg-plain', aclBackend: plain.backend },
      ],
    });
    await service.handle('CreateUser', createUser(), context);
    await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    await service.handle('CreateUserGroup', group('g2'), context);
    // In-transit encryption is required for a user group.
    expect(
      await errorCode(service.handle('ModifyReplicationGroup', associate('g1', 'rg-plain'), context)),
    ).toBe('InvalidParameterCombination');
    expect(
      await errorCode(service.handle('ModifyReplicationGroup', associate('nope', 'rg-tls'), context)),
    ).toBe('UserGroupNotFound');
    expect(
      await errorCode(service.handle('ModifyReplicationGroup', associate('g1', 'rg-none'), context)),
    ).toBe('ReplicationGroupNotFoundFault');
    expect(
      await errorCode(
        service.handle(
          'ModifyReplicationGroup',
          form({ ReplicationGroupId: 'rg-tls', CacheNodeType: 'cache.r7g.large' }),
          context,
        ),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(
        service.handle(
          'ModifyReplicationGroup',
          form({ ReplicationGroupId: 'rg-tls', 'UserGroupIdsToRemove.member.1': 'g1' }),
          context,
        ),
      ),
    ).toBe('InvalidParameterValue');
    expect(fake.calls).toEqual([]);
    expect(plain.calls).toEqual([]);

    await service.handle('ModifyReplicationGroup', associate('g1', 'rg-tls'), context);
    // One user group per replication group.
    expect(
      await errorCode(service.handle('ModifyReplicationGroup', associate('g2', 'rg-tls'), context)),
    ).toBe('InvalidParameterCombination');
    // A group that a cache holds cannot be deleted.
    expect(await errorCode(service.handle('DeleteUserGroup', form({ UserGroupId: 'g1' }), context))).toBe(
      'InvalidUserGroupState',
    );
    expect(fake.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);
  });

  it('associates a user group with a serverless cache through ModifyServerlessCache', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({
      caches: [{ serverlessCacheName: 'sc1', aclBackend: fake.backend }],
    });
    await service.handle('CreateUser', createUser(), context);
    await service.handle('CreateUserGroup', group('g1', 'u1'), context);
    const modified = await service.handle(
      'ModifyServerlessCache',
      form({ ServerlessCacheName: 'sc1', UserGroupId: 'g1' }),
      context,
    );
    expect(field(modified, 'UserGroupId')).toBe('g1');
    expect(fake.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);
    const described = await service.handle('DescribeUserGroups', form({ UserGroupId: 'g1' }), context);
    expect(field(described, 'ServerlessCaches')).toBe('<member>sc1</member>');
    expect(field(described, 'ReplicationGroups')).toBe('');
    expect(
      await errorCode(
        service.handle(
          'ModifyServerlessCache',
          form({ ServerlessCacheName: 'sc1', UserGroupId: 'g1', RemoveUserGroup: 'true' }),
          context,
        ),
      ),
    ).toBe('InvalidParameterCombination');
    await service.handle(
      'ModifyServerlessCache',
      form({ ServerlessCacheName: 'sc1', RemoveUserGroup: 'true' }),
      context,
    );
    expect(fake.calls.at(-1)).toEqual({ op: 'deleteUser', name: 'app' });
  });
  it('writes nothing when the input is refused', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend });
    expect(
      await errorCode(service.handle('CreateUser', createUser({ 'Passwords.member.1': 'short' }), context)),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(service.handle('CreateUser', createUser({ UserName: 'has space' }), context)),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(
        service.handle('CreateUser', createUser({ 'AuthenticationMode.Type': 'iam' }), context),
      ),
    ).toBe('InvalidParameterCombination');
    expect(await errorCode(service.handle('CreateUser', form({ UserId: 'u1' }), context))).toBe(
      'MissingParameter',
    );
    expect(fake.calls).toEqual([]);
    expect(status(await service.handle('DescribeUsers', form({}), context))).toBe('active');
    expect(await errorCode(service.handle('DescribeUsers', form({ UserId: 'u1' }), context))).toBe(
      'UserNotFound',
    );
  });

  it('never applies users named default: that Redis user is the admin login of the backing server', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend });
    const created = await service.handle(
      'CreateUser',
      createUser({ UserId: 'new-default', UserName: 'default' }),
      context,
    );
    expect(status(created)).toBe('active');
    expect(fake.calls).toEqual([]);
    expect(
      await errorCode(
        service.handle('ModifyUser', form({ UserId: 'default', AppendAccessString: '+get' }), context),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('exports digests and associations only, and re-applies users on import', async () => {
    const first = fakeBackend();
    const source = createElastiCacheService({ aclBackend: first.backend });
    await source.handle('CreateUser', createUser(), context);
    await source.handle('CreateUserGroup', group('g1', 'u1'), context);
    await source.handle('ModifyReplicationGroup', associate('g1'), context);
    const state = source.exportState();
    expect(JSON.stringify(state)).not.toContain(P1);
    expect(state.users.map((user) => user.userId)).toEqual(['u1']);
    expect(state.associations).toEqual([
      { kind: 'replication-group', cacheId: 'rotor-local', userGroupId: 'g1' },
    ]);

    const second = fakeBackend();
    const restored = createElastiCacheService({ aclBackend: second.backend });
    await restored.importState(JSON.parse(JSON.stringify(state)));
    expect(second.calls).toEqual([{ op: 'setUser', name: 'app', rules: APP_RULES }]);
    const described = await restored.handle('DescribeUsers', form({ UserId: 'u1' }), context);
    expect(described).toContain('<UserGroupIds><member>g1</member></UserGroupIds>');
  });

  it('answers unknown actions with InvalidAction', async () => {
    const service = createElastiCacheService({ aclBackend: fakeBackend().backend });
    expect(await errorCode(service.handle('CreateCacheCluster', form({}), context))).toBe('InvalidAction');
  });

  it('needs a cache, a Redis per cache, TLS for serverless caches and a sane delay', () => {
    expect(() => createElastiCacheService({})).toThrow(/at least one cache/);
    expect(() =>
      createElastiCacheService({ aclBackend: fakeBackend().backend, modifyingDelayMs: -1 }),
    ).toThrow(/modifyingDelayMs/);
    const shared = fakeBackend().backend;
    expect(() =>
      createElastiCacheService({
        caches: [
          { replicationGroupId: 'a', aclBackend: shared },
          { replicationGroupId: 'b', aclBackend: shared },
        ],
      }),
    ).toThrow(/each cache needs its own/);
    expect(() =>
      createElastiCacheService({
        caches: [{ serverlessCacheName: 's', aclBackend: fakeBackend({ tls: false }).backend }],
      }),
    ).toThrow(/always encrypt in transit/);
  });
});
