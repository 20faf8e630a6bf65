import { createHash } from 'node:crypto';
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DeleteUserCommand,
  DeleteUserGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
  ModifyServerlessCacheCommand,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import {
  type CacheServers,
  type RedisServerHandle,
  startCacheServers,
  startRedisServer,
} from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElastiCacheCacheConfig, ElastiCacheService } from '../../src/elasticache/index.ts';
import type { LocalAwsLogger } from '../../src/logger.ts';
import { type CacheAddress, redisLogin } from '../support/redis-login.ts';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const DELAY_MS = 400;

/** Passwords that pass ElastiCache's rules (16–128 printable characters, none of , " / @ space). */
const P1 = 'first-password-0001';
const P2 = 'second-password-0002';
const P3 = 'third-password-00003';
const P4 = 'fourth-password-0004';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function recordingLogger(lines: string[]): LocalAwsLogger {
  const record = (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { debug: record, info: record, warn: record, error: record };
}

interface Endpoint {
  aws: LocalAws;
  service: ElastiCacheService;
  client: ElastiCacheClient;
}

async function startEndpoint(
  caches: ElastiCacheCacheConfig[],
  modifyingDelayMs: number,
  logLines: string[],
): Promise<Endpoint> {
  const aws = await startLocalAws({
    region: REGION,
    accountId: ACCOUNT,
    elasticache: { caches, modifyingDelayMs },
    logger: recordingLogger(logLines),
  });
  if (!aws.elasticache) throw new Error('startLocalAws did not mount ElastiCache');
  const client = new ElastiCacheClient({
    endpoint: aws.endpoint,
    region: REGION,
    credentials: aws.credentials,
    maxAttempts: 1,
  });
  return { aws, service: aws.elasticache, client };
}

/** Three caches: a TLS replication group, a serverless cache, and a replication group without TLS. */
let servers: CacheServers;
let plainRedis: RedisServerHandle;
let cacheA: CacheAddress;
let cacheB: CacheAddress;
let admin: Redis;
let now: Endpoint;
let delayed: Endpoint;
const logLines: string[] = [];

/** Puts a user into the user group of cache A (`apps`), so that it can log in there. */
async function joinGroup(endpoint: Endpoint, userGroupId: string, userId: string) {
  await endpoint.client.send(
    new ModifyUserGroupCommand({ UserGroupId: userGroupId, UserIdsToAdd: [userId] }),
  );
  await endpoint.service.settled();
}

beforeAll(async () => {
  [servers, plainRedis] = await Promise.all([
    startCacheServers({ replicationGroups: ['rg-a'], serverlessCaches: ['sc-b'] }),
    startRedisServer(),
  ]);
  cacheA = { port: servers.server('rg-a').port, ca: servers.ca };
  cacheB = { port: servers.server('sc-b').port, ca: servers.ca };
  admin = new Redis(servers.server('rg-a').url, { tls: { ca: servers.ca } });
  now = await startEndpoint(
    [...servers.caches, { replicationGroupId: 'rg-plain', redisUrl: plainRedis.url }],
    0,
    logLines,
  );
  // A second endpoint on cache A's Redis, slow to apply changes; its users and groups are its own.
  delayed = await startEndpoint([servers.caches[0]!], DELAY_MS, logLines);
  await now.client.send(
    new CreateUserGroupCommand({ UserGroupId: 'apps', Engine: 'redis', UserIds: ['default'] }),
  );
  await now.client.send(
    new ModifyReplicationGroupCommand({ ReplicationGroupId: 'rg-a', UserGroupIdsToAdd: ['apps'] }),
  );
  await delayed.client.send(
    new CreateUserGroupCommand({ UserGroupId: 'slow-apps', Engine: 'redis', UserIds: ['default'] }),
  );
  await delayed.service.settled();
  await delayed.client.send(
    new ModifyReplicationGroupCommand({ ReplicationGroupId: 'rg-a', UserGroupIdsToAdd: ['slow-apps'] }),
  );
  await delayed.service.settled();
});

afterAll(async () => {
  for (const endpoint of [now, delayed]) {
    endpoint?.client.destroy();
    await endpoint?.aws.stop();
  }
  admin?.disconnect();
  await Promise.all([servers?.stop(), plainRedis?.stop()]);
});

async function aclUsers(): Promise<string[]> {
  return (await admin.call('ACL', ['USERS'])) as string[];
}

async function aclPasswordHashes(name: string): Promise<string[]> {
  const reply = (await admin.call('ACL', ['GETUSER', name])) as unknown[];
  const index = reply.indexOf('passwords');
  return reply[index + 1] as string[];
}

function connectAs(cache: CacheAddress, username: string, password: string) {
  const connection = new Redis({
    port: cache.port,
    username,
    password,
    lazyConnect: true,
    tls: { ca: cache.ca },
  });
  connection.on('error', () => {});
  return connection;
}

describe('ElastiCache users on a real Redis (real SDK client)', () => {
  it('CreateUser returns the user as the SDK parses it; its UserName authenticates once its user group holds it', async () => {
    const created = await now.client.send(
      new CreateUserCommand({
        UserId: 'App-User-1',
        UserName: 'app1',
        Engine: 'REDIS',
        AccessString: 'on ~app:* +@all',
        Passwords: [P1],
      }),
    );
    expect(created).toMatchObject({
      UserId: 'app-user-1',
      UserName: 'app1',
      Status: 'active',
      Engine: 'redis',
      MinimumEngineVersion: '6.0',
      AccessString: 'on ~app:* +@all',
      UserGroupIds: [],
      Authentication: { Type: 'password', PasswordCount: 1 },
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app-user-1`,
    });
    // In no user group yet: the right password is refused (RBAC: users reach caches through user groups).
    await expect(redisLogin(cacheA, 'app1', P1)).rejects.toThrow(/WRONGPASS/);
    await joinGroup(now, 'apps', 'app-user-1');
    await expect(redisLogin(cacheA, 'app1', P1)).resolves.toBe('PONG');
    // Negative controls: a wrong password, and the UserId instead of the UserName.
    await expect(redisLogin(cacheA, 'app1', P2)).rejects.toThrow(/WRONGPASS/);
    await expect(redisLogin(cacheA, 'app-user-1', P1)).rejects.toThrow(/WRONGPASS/);
    // Cache B's user group does not hold the user.
    await expect(redisLogin(cacheB, 'app1', P1)).rejects.toThrow(/WRONGPASS/);
    // Redis holds only the digest.
    expect(await aclPasswordHashes('app1')).toEqual([sha256(P1)]);
  });

  it('ModifyUser with two passwords: both authenticate, the replaced one and a third do not', async () => {
    await now.client.send(
      new CreateUserCommand({
        UserId: 'rot',
        UserName: 'rot',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    await joinGroup(now, 'apps', 'rot');
    const modified = await now.client.send(new ModifyUserCommand({ UserId: 'rot', Passwords: [P2, P3] }));
    expect(modified.Authentication).toEqual({ Type: 'password', PasswordCount: 2 });
    await expect(redisLogin(cacheA, 'rot', P2)).resolves.toBe('PONG');
    await expect(redisLogin(cacheA, 'rot', P3)).resolves.toBe('PONG');
    await expect(redisLogin(cacheA, 'rot', P1)).rejects.toThrow(/WRONGPASS/);
    await expect(redisLogin(cacheA, 'rot', P4)).rejects.toThrow(/WRONGPASS/);
    expect((await aclPasswordHashes('rot')).sort()).toEqual([sha256(P2), sha256(P3)].sort());
  });

  it('follows the AWS page: a disabled user with no password, then a rotation sets its password', async () => {
    const created = await now.client.send(
      new CreateUserCommand({
        UserId: 'user1',
        UserName: 'user1',
        Engine: 'REDIS',
        NoPasswordRequired: true,
        AccessString: '*off* +get ~keys*',
      }),
    );
    expect(created).toMatchObject({
      Status: 'active',
      Engine: 'redis',
      AccessString: 'off ~keys* -@all +get',
      Authentication: { Type: 'no-password', PasswordCount: 0 },
    });
    await joinGroup(now, 'apps', 'user1');
    // off: nobody gets in, not even with nopass.
    await expect(redisLogin(cacheA, 'user1', 'anything-at-all-000')).rejects.toThrow(/WRONGPASS/);
    // What AWS's rotation function sends in setSecret: only UserId and Passwords.
    const rotated = await now.client.send(new ModifyUserCommand({ UserId: 'user1', Passwords: [P1] }));
    expect(rotated.Authentication).toEqual({ Type: 'password', PasswordCount: 1 });
    expect(rotated.AccessString).toBe('off ~keys* -@all +get');
    await expect(redisLogin(cacheA, 'user1', P1)).rejects.toThrow(/WRONGPASS/);
    // Enabling is the operator's job; then the rotated password works and the access rules hold.
    const enabled = await now.client.send(
      new ModifyUserCommand({ UserId: 'user1', AccessString: 'on ~keys* -@all +get +ping' }),
    );
    expect(enabled.AccessString).toBe('on ~keys* -@all +get +ping');
    await expect(redisLogin(cacheA, 'user1', P1)).resolves.toBe('PONG');
    await expect(redisLogin(cacheA, 'user1', P2)).rejects.toThrow(/WRONGPASS/);
  });

  it('AppendAccessString adds rules, and Redis enforces them', async () => {
    await now.client.send(
      new CreateUserCommand({
        UserId: 'reader',
        UserName: 'reader',
        Engine: 'redis',
        AccessString: 'on ~r:* -@all +get',
        Passwords: [P1],
      }),
    );
    await joinGroup(now, 'apps', 'reader');
    const appended = await now.client.send(
      new ModifyUserCommand({ UserId: 'reader', AppendAccessString: '+set' }),
    );
    expect(appended.AccessString).toBe('on ~r:* -@all +get +set');
    const client = connectAs(cacheA, 'reader', P1);
    try {
      await client.connect();
      await expect(client.set('r:1', 'v')).resolves.toBe('OK');
      await expect(client.del('r:1')).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
    }
  });

  it('refuses invalid input with ElastiCache error classes and writes nothing to Redis', async () => {
    const before = await aclUsers();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Passwords: ['short-password'] }, 'InvalidParameterValueException'],
      [{ Passwords: ['has-an-at-sign@-0000'] }, 'InvalidParameterValueException'],
      [{ Passwords: ['has,a,comma-000000'] }, 'InvalidParameterValueException'],
      [{ Passwords: ['has a space-0000000'] }, 'InvalidParameterValueException'],
      [{ Passwords: ['x'.repeat(129)] }, 'InvalidParameterValueException'],
      [{ Passwords: [P1, P2, P3] }, 'InvalidParameterValueException'],
      [{ Passwords: [P1], NoPasswordRequired: true }, 'InvalidParameterCombinationException'],
      [
        { Passwords: [P1], AccessString: 'on ~* +@all >inline-password-000' },
        'InvalidParameterValueException',
      ],
      [{ Passwords: [P1], AccessString: 'reset on ~* +@all' }, 'InvalidParameterValueException'],
      [{ Passwords: [P1], AccessString: 'on ~* +nosuchcommand' }, 'InvalidParameterValueException'],
      [{ Passwords: [P1], UserId: '1starts-with-digit' }, 'InvalidParameterValueException'],
      [{ AuthenticationMode: { Type: 'password' } }, 'InvalidParameterValueException'],
      [{}, 'InvalidParameterValueException'],
    ];
    for (const [override, errorName] of cases) {
      const input = {
        UserId: 'refused',
        UserName: 'refused',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        ...override,
      };
      const error = await now.client
        .send(new CreateUserCommand(input as never))
        .catch((caught: unknown) => caught);
      expect(error, JSON.stringify(override)).toHaveProperty('name', errorName);
      expect(String((error as Error).message)).not.toContain('password-000');
    }
    expect(await aclUsers()).toEqual(before);
    await expect(now.client.send(new DescribeUsersCommand({ UserId: 'refused' }))).rejects.toHaveProperty(
      'name',
      'UserNotFoundFault',
    );
  });

  it('reports UserAlreadyExists, DuplicateUserName and UserNotFound', async () => {
    const base = { Engine: 'redis', AccessString: 'on ~* +@all', Passwords: [P1] };
    await now.client.send(new CreateUserCommand({ ...base, UserId: 'dup', UserName: 'dup-name' }));
    await expect(
      now.client.send(new CreateUserCommand({ ...base, UserId: 'DUP', UserName: 'other-name' })),
    ).rejects.toHaveProperty('name', 'UserAlreadyExistsFault');
    await expect(
      now.client.send(new CreateUserCommand({ ...base, UserId: 'dup2', UserName: 'dup-name' })),
    ).rejects.toHaveProperty('name', 'DuplicateUserNameFault');
    const missing = await now.client
      .send(new ModifyUserCommand({ UserId: 'nobody', Passwords: [P1] }))
      .catch((caught: unknown) => caught as { name: string; $metadata: { httpStatusCode: number } });
    expect(missing).toMatchObject({ name: 'UserNotFoundFault', $metadata: { httpStatusCode: 404 } });
    await expect(now.client.send(new DeleteUserCommand({ UserId: 'default' }))).rejects.toHaveProperty(
      'name',
      'InvalidParameterValueException',
    );
  });

  it('DescribeUsers pages with Marker and filters by user-id', async () => {
    for (let index = 0; index < 22; index++) {
      await now.client.send(
        new CreateUserCommand({
          UserId: `page-${String(index).padStart(2, '0')}`,
          UserName: `page-${index}`,
          Engine: 'redis',
          AccessString: 'off ~* +@all',
          NoPasswordRequired: true,
        }),
      );
    }
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await now.client.send(new DescribeUsersCommand({ MaxRecords: 20, Marker: marker }));
      seen.push(...(page.Users ?? []).map((user) => user.UserId ?? ''));
      marker = page.Marker;
      pages++;
    } while (marker);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen.filter((id) => id.startsWith('page-'))).toHaveLength(22);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain('default');

    const filtered = await now.client.send(
      new DescribeUsersCommand({ Filters: [{ Name: 'user-id', Values: ['page-03', 'page-07'] }] }),
    );
    expect(filtered.Users?.map((user) => user.UserId)).toEqual(['page-03', 'page-07']);
    await expect(now.client.send(new DescribeUsersCommand({ MaxRecords: 5 }))).rejects.toHaveProperty(
      'name',
      'InvalidParameterValueException',
    );
  });

  it('DeleteUser reports deleting, removes the ACL user and closes its connections', async () => {
    await now.client.send(
      new CreateUserCommand({
        UserId: 'gone',
        UserName: 'gone',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    await joinGroup(now, 'apps', 'gone');
    const connection = connectAs(cacheA, 'gone', P1);
    await connection.connect();
    const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    const deleted = await now.client.send(new DeleteUserCommand({ UserId: 'gone' }));
    expect(deleted.Status).toBe('deleting');
    await closed;
    connection.disconnect();
    expect(await aclUsers()).not.toContain('gone');
    await expect(redisLogin(cacheA, 'gone', P1)).rejects.toThrow(/WRONGPASS/);
    await expect(now.client.send(new DescribeUsersCommand({ UserId: 'gone' }))).rejects.toHaveProperty(
      'name',
      'UserNotFoundFault',
    );
  });
});

describe('the modifying delay', () => {
  it('keeps the user modifying for the delay, applies the ACL when it turns active, and refuses ModifyUser meanwhile', async () => {
    await delayed.client.send(
      new CreateUserCommand({
        UserId: 'slow',
        UserName: 'slow',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    await delayed.service.settled();
    await joinGroup(delayed, 'slow-apps', 'slow');
    await expect(redisLogin(cacheA, 'slow', P1)).resolves.toBe('PONG');

    const started = Date.now();
    const modified = await delayed.client.send(
      new ModifyUserCommand({ UserId: 'slow', Passwords: [P2, P1] }),
    );
    expect(modified.Status).toBe('modifying');
    const during = await delayed.client.send(new DescribeUsersCommand({ UserId: 'slow' }));
    expect(during.Users?.[0]?.Status).toBe('modifying');
    // Not applied yet: the new password is refused, the old one still works.
    await expect(redisLogin(cacheA, 'slow', P2)).rejects.toThrow(/WRONGPASS/);
    await expect(redisLogin(cacheA, 'slow', P1)).resolves.toBe('PONG');
    const refused = await delayed.client
      .send(new ModifyUserCommand({ UserId: 'slow', Passwords: [P3] }))
      .catch((caught: unknown) => caught as Error);
    expect(refused).toHaveProperty('name', 'InvalidUserStateFault');
    expect((refused as Error).message).toBe(
      'User slow has status modifying. Only active users can be modified.',
    );

    let status = 'modifying';
    while (status !== 'active') {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const page = await delayed.client.send(new DescribeUsersCommand({ UserId: 'slow' }));
      status = page.Users?.[0]?.Status ?? 'missing';
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(DELAY_MS);
    expect(elapsed).toBeLessThan(DELAY_MS + 2_000);
    await expect(redisLogin(cacheA, 'slow', P2)).resolves.toBe('PONG');
    await expect(redisLogin(cacheA, 'slow', P1)).resolves.toBe('PONG');
    await expect(redisLogin(cacheA, 'slow', P3)).rejects.toThrow(/WRONGPASS/);
  });
});

describe('user groups', () => {
  it("requires a default user, tracks membership, and removal ends the user's logins and connections", async () => {
    await now.client.send(
      new CreateUserCommand({
        UserId: 'member',
        UserName: 'member',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    await expect(
      now.client.send(
        new CreateUserGroupCommand({ UserGroupId: 'g0', Engine: 'redis', UserIds: ['member'] }),
      ),
    ).rejects.toHaveProperty('name', 'DefaultUserRequired');
    await expect(
      now.client.send(
        new CreateUserGroupCommand({ UserGroupId: 'g0', Engine: 'redis', UserIds: ['nobody'] }),
      ),
    ).rejects.toHaveProperty('name', 'UserNotFoundFault');

    const created = await now.client.send(
      new CreateUserGroupCommand({ UserGroupId: 'G1', Engine: 'redis', UserIds: ['default', 'member'] }),
    );
    // A new group reaches no cache until one is associated with it. CreateUserGroup answers `creating`, as
    // AWS does, even with no delay; DescribeUserGroups then shows it active.
    expect(created).toMatchObject({
      UserGroupId: 'g1',
      Status: 'creating',
      Engine: 'redis',
      UserIds: ['default', 'member'],
      ReplicationGroups: [],
      ServerlessCaches: [],
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:g1`,
    });
    const active = await now.client.send(new DescribeUserGroupsCommand({ UserGroupId: 'g1' }));
    expect(active.UserGroups?.[0]?.Status).toBe('active');
    const member = await now.client.send(new DescribeUsersCommand({ UserId: 'member' }));
    expect(member.Users?.[0]?.UserGroupIds).toEqual(['g1']);
    await expect(redisLogin(cacheB, 'member', P1)).rejects.toThrow(/WRONGPASS/);

    const associated = await now.client.send(
      new ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-b', UserGroupId: 'g1' }),
    );
    expect(associated.ServerlessCache).toMatchObject({ ServerlessCacheName: 'sc-b', UserGroupId: 'g1' });
    await expect(redisLogin(cacheB, 'member', P1)).resolves.toBe('PONG');
    await expect(redisLogin(cacheB, 'member', P2)).rejects.toThrow(/WRONGPASS/);
    // Cache A's group (apps) does not hold the user.
    await expect(redisLogin(cacheA, 'member', P1)).rejects.toThrow(/WRONGPASS/);
    const described = await now.client.send(new DescribeUserGroupsCommand({ UserGroupId: 'g1' }));
    expect(described.UserGroups?.[0]).toMatchObject({ ServerlessCaches: ['sc-b'], ReplicationGroups: [] });

    await expect(
      now.client.send(new ModifyUserGroupCommand({ UserGroupId: 'g1', UserIdsToRemove: ['default'] })),
    ).rejects.toHaveProperty('name', 'DefaultUserRequired');

    const connection = connectAs(cacheB, 'member', P1);
    await connection.connect();
    const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    const modified = await now.client.send(
      new ModifyUserGroupCommand({ UserGroupId: 'g1', UserIdsToRemove: ['member'] }),
    );
    expect(modified.UserIds).toEqual(['default']);
    await closed;
    connection.disconnect();
    await expect(redisLogin(cacheB, 'member', P1)).rejects.toThrow(/WRONGPASS/);

    await expect(
      now.client.send(new DescribeUserGroupsCommand({ UserGroupId: 'nope' })),
    ).rejects.toHaveProperty('name', 'UserGroupNotFoundFault');
    // Held by a cache: it cannot be deleted until it is dissociated.
    await expect(now.client.send(new DeleteUserGroupCommand({ UserGroupId: 'g1' }))).rejects.toHaveProperty(
      'name',
      'InvalidUserGroupStateFault',
    );
    await now.client.send(
      new ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-b', RemoveUserGroup: true }),
    );
    const deleted = await now.client.send(new DeleteUserGroupCommand({ UserGroupId: 'g1' }));
    expect(deleted.Status).toBe('deleting');
    await expect(
      now.client.send(new DescribeUserGroupsCommand({ UserGroupId: 'g1' })),
    ).rejects.toHaveProperty('name', 'UserGroupNotFoundFault');
  });

  it("dissociating a user group from its cache ends its users' logins and connections", async () => {
    await now.client.send(
      new CreateUserCommand({
        UserId: 'tenant',
        UserName: 'tenant',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    await now.client.send(
      new CreateUserGroupCommand({ UserGroupId: 'tenants', Engine: 'redis', UserIds: ['default', 'tenant'] }),
    );
    await now.client.send(
      new ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-b', UserGroupId: 'tenants' }),
    );
    const connection = connectAs(cacheB, 'tenant', P1);
    await connection.connect();
    const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    await now.client.send(
      new ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-b', RemoveUserGroup: true }),
    );
    await closed;
    connection.disconnect();
    await expect(redisLogin(cacheB, 'tenant', P1)).rejects.toThrow(/WRONGPASS/);
    await now.client.send(new DeleteUserGroupCommand({ UserGroupId: 'tenants' }));
  });

  it('a delayed user group is creating, then modifying with PendingChanges, and a cache waits for it', async () => {
    await delayed.client.send(
      new CreateUserCommand({
        UserId: 'late',
        UserName: 'late',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [P1],
      }),
    );
    const created = await delayed.client.send(
      new CreateUserGroupCommand({ UserGroupId: 'g2', Engine: 'redis', UserIds: ['default'] }),
    );
    expect(created).toMatchObject({ Status: 'creating', ReplicationGroups: [] });
    await expect(
      delayed.client.send(new ModifyUserGroupCommand({ UserGroupId: 'g2', UserIdsToAdd: ['late'] })),
    ).rejects.toHaveProperty('name', 'InvalidUserGroupStateFault');
    await delayed.service.settled();
    const modified = await delayed.client.send(
      new ModifyUserGroupCommand({ UserGroupId: 'g2', UserIdsToAdd: ['late'] }),
    );
    expect(modified).toMatchObject({
      Status: 'modifying',
      UserIds: ['default'],
      PendingChanges: { UserIdsToAdd: ['late'], UserIdsToRemove: [] },
    });
    await expect(
      delayed.client.send(new ModifyUserGroupCommand({ UserGroupId: 'g2', UserIdsToRemove: ['late'] })),
    ).rejects.toHaveProperty('name', 'InvalidUserGroupStateFault');
    await delayed.service.settled();
    const after = await delayed.client.send(new DescribeUserGroupsCommand({ UserGroupId: 'g2' }));
    expect(after.UserGroups?.[0]).toMatchObject({ Status: 'active', UserIds: ['default', 'late'] });
    expect(after.UserGroups?.[0]?.PendingChanges).toBeUndefined();

    // Swapping cache A over to g2 takes the delay; until then only slow-apps' users log in there.
    const swapping = await delayed.client.send(
      new ModifyReplicationGroupCommand({
        ReplicationGroupId: 'rg-a',
        UserGroupIdsToRemove: ['slow-apps'],
        UserGroupIdsToAdd: ['g2'],
      }),
    );
    expect(swapping.ReplicationGroup).toMatchObject({
      Status: 'modifying',
      UserGroupIds: ['slow-apps'],
      PendingModifiedValues: {
        UserGroups: { UserGroupIdsToAdd: ['g2'], UserGroupIdsToRemove: ['slow-apps'] },
      },
    });
    await expect(redisLogin(cacheA, 'late', P1)).rejects.toThrow(/WRONGPASS/);
    await delayed.service.settled();
    await expect(redisLogin(cacheA, 'late', P1)).resolves.toBe('PONG');
    await delayed.client.send(
      new ModifyReplicationGroupCommand({
        ReplicationGroupId: 'rg-a',
        UserGroupIdsToRemove: ['g2'],
        UserGroupIdsToAdd: ['slow-apps'],
      }),
    );
    await delayed.service.settled();
  });

  it('refuses what AWS refuses: no user group on a cache without in-transit encryption, one group per cache', async () => {
    await expect(
      now.client.send(
        new ModifyReplicationGroupCommand({ ReplicationGroupId: 'rg-plain', UserGroupIdsToAdd: ['apps'] }),
      ),
    ).rejects.toHaveProperty('name', 'InvalidParameterCombinationException');
    await now.client.send(
      new CreateUserGroupCommand({ UserGroupId: 'second', Engine: 'redis', UserIds: ['default'] }),
    );
    await expect(
      now.client.send(
        new ModifyReplicationGroupCommand({ ReplicationGroupId: 'rg-a', UserGroupIdsToAdd: ['second'] }),
      ),
    ).rejects.toHaveProperty('name', 'InvalidParameterCombinationException');
    await expect(
      now.client.send(
        new ModifyReplicationGroupCommand({ ReplicationGroupId: 'nope', UserGroupIdsToAdd: ['second'] }),
      ),
    ).rejects.toMatchObject({ name: 'ReplicationGroupNotFoundFault', $metadata: { httpStatusCode: 404 } });
    await now.client.send(new DeleteUserGroupCommand({ UserGroupId: 'second' }));
  });

  it('DescribeReplicationGroups reports each cache with its endpoint, TLS and user group', async () => {
    const groups = await now.client.send(new DescribeReplicationGroupsCommand({}));
    expect(groups.ReplicationGroups?.map((group) => group.ReplicationGroupId)).toEqual(['rg-a', 'rg-plain']);
    const [a, plain] = groups.ReplicationGroups ?? [];
    expect(a).toMatchObject({
      Status: 'available',
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      UserGroupIds: ['apps'],
      ClusterEnabled: false,
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:replicationgroup:rg-a`,
    });
    expect(a?.NodeGroups?.[0]?.PrimaryEndpoint).toEqual({ Address: '127.0.0.1', Port: cacheA.port });
    expect(plain).toMatchObject({ TransitEncryptionEnabled: false, UserGroupIds: [] });
    await expect(
      now.client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'other' })),
    ).rejects.toHaveProperty('name', 'ReplicationGroupNotFoundFault');
  });

  it('DescribeServerlessCaches reports the serverless cache and its endpoint', async () => {
    const caches = await now.client.send(new DescribeServerlessCachesCommand({}));
    expect(caches.ServerlessCaches).toHaveLength(1);
    expect(caches.ServerlessCaches?.[0]).toMatchObject({
      ServerlessCacheName: 'sc-b',
      Status: 'available',
      Endpoint: { Address: '127.0.0.1', Port: cacheB.port },
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:serverlesscache:sc-b`,
    });
    await expect(
      now.client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'other' })),
    ).rejects.toHaveProperty('name', 'ServerlessCacheNotFoundFault');
  });
});

describe('logging', () => {
  it('never records a password', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const joined = logLines.join('\n');
    for (const secret of [P1, P2, P3, P4]) expect(joined).not.toContain(secret);
  });
});
