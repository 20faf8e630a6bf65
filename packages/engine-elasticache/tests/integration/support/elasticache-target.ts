import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import type { ElastiCacheSecret } from '@rotor/engine-elasticache';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { startCacheServers } from '@rotor/local-aws/harness';
import type { ConformanceTarget } from '@rotor/testkit';
import { Redis } from 'ioredis';
import { authAtCache } from './auth-at-cache.ts';

export interface ElastiCacheTarget extends ConformanceTarget<ElastiCacheSecret> {
  aws: LocalAws;
  client: ElastiCacheClient;
  /** The certificate file that verifies the cache, for the engine's `dataPlane.caFile`. */
  caFile: string;
  /** The ARNs of the replication groups the harness plays, for the engine's `dataPlane.caches`. */
  cacheArns: string[];
  /** The trusted cache's port, for the engine's `dataPlane.host` / `port`. */
  cachePort: number;
}

const CACHE = 'conformance-cache';
/** The user group the cache holds; every user the suite creates joins it, so that it can log in. */
const CACHE_GROUP = 'conformance-users';
/** A cache whose certificate the engine's CA file does not verify, with a user group of its own. */
const UNTRUSTED_CACHE = 'untrusted-cache';
const UNTRUSTED_GROUP = 'untrusted-users';

/** User names may hold `_`; ElastiCache user ids may not, so the id swaps it for `-`. */
const userIdFor = (username: string) => username.toLowerCase().replace(/_/g, '-');

/**
 * ElastiCache for the conformance suite: the local endpoint's emulated users on a real TLS redis-server
 * that plays one replication group. Users are created through the API and put into the user group the
 * cache holds (as an operator would); logins are checked with a raw ioredis `AUTH`, independently of
 * the engine.
 */
export async function startElastiCacheTarget(): Promise<ElastiCacheTarget> {
  const servers = await startCacheServers({
    replicationGroups: [CACHE, UNTRUSTED_CACHE],
    ownCertificate: [UNTRUSTED_CACHE],
  });
  const redis = servers.server(CACHE);
  const untrusted = servers.server(UNTRUSTED_CACHE);
  const aws = await startLocalAws({ elasticache: { caches: servers.caches, modifyingDelayMs: 50 } });
  const client = new ElastiCacheClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  for (const [cache, group] of [
    [CACHE, CACHE_GROUP],
    [UNTRUSTED_CACHE, UNTRUSTED_GROUP],
  ] as const) {
    await client.send(
      new CreateUserGroupCommand({ UserGroupId: group, Engine: 'redis', UserIds: ['default'] }),
    );
    await aws.elasticache!.settled();
    await client.send(
      new ModifyReplicationGroupCommand({ ReplicationGroupId: cache, UserGroupIdsToAdd: [group] }),
    );
    await aws.elasticache!.settled();
  }
  const arnFor = (username: string) =>
    `arn:aws:elasticache:${aws.region}:${aws.accountId}:user:${userIdFor(username)}`;
  let groups = 0;

  const secretOn = (port: number) => (username: string, password?: string) => ({
    username,
    user_arn: arnFor(username),
    host: '127.0.0.1',
    port,
    ...(password === undefined ? {} : { password }),
  });
  /** A user made through the API, as an operator would, in the user group of one cache. */
  const createUserIn = async (group: string, username: string, password: string) => {
    await client.send(
      new CreateUserCommand({
        UserId: userIdFor(username),
        UserName: username,
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [password],
      }),
    );
    await aws.elasticache!.settled();
    await client.send(
      new ModifyUserGroupCommand({ UserGroupId: group, UserIdsToAdd: [userIdFor(username)] }),
    );
    await aws.elasticache!.settled();
  };
  const untrustedCa = untrusted.tls?.ca;
  if (!untrustedCa) throw new Error('the untrusted cache serves no TLS');

  return {
    aws,
    client,
    caFile: servers.caFile,
    cacheArns: [CACHE, UNTRUSTED_CACHE].map(
      (id) => `arn:aws:elasticache:${aws.region}:${aws.accountId}:replicationgroup:${id}`,
    ),
    cachePort: redis.port,
    secretFor: secretOn(redis.port),
    createUser: (username, password) => createUserIn(CACHE_GROUP, username, password),
    canLogin(username, password) {
      return authAtCache({ port: redis.port, ca: servers.ca }, username, password);
    },
    async decorateCloneSource(username) {
      groups += 1;
      await client.send(
        new CreateUserGroupCommand({
          UserGroupId: `conformance-group-${groups}`,
          Engine: 'redis',
          UserIds: ['default', userIdFor(username)],
        }),
      );
      await aws.elasticache!.settled();
    },
    async describeCloneable(username) {
      await aws.elasticache!.settled();
      const user = (await client.send(new DescribeUsersCommand({ UserId: userIdFor(username) }))).Users?.[0];
      const groupIds = [...(user?.UserGroupIds ?? [])].sort();
      // Membership as the groups see it, too.
      for (const groupId of groupIds) {
        const group = (await client.send(new DescribeUserGroupsCommand({ UserGroupId: groupId })))
          .UserGroups?.[0];
        if (!group?.UserIds?.includes(userIdFor(username))) groupIds.push(`missing from ${groupId}`);
      }
      return { engine: user?.Engine, accessString: user?.AccessString, groups: groupIds };
    },
    harness: {
      // Its users sit only in its own user group, so the engine finds this cache and no other for them; the
      // harness checks logins there with the cache's own certificate, which the engine's CA file does not verify.
      untrustedTlsServer: {
        secretFor: secretOn(untrusted.port),
        createUser: (username, password) => createUserIn(UNTRUSTED_GROUP, username, password),
        canLogin: (username, password) =>
          authAtCache({ port: untrusted.port, ca: untrustedCa }, username, password),
      },
      // The local endpoint sets no limit on user names; the target derives each UserId from the name, so the kit's
      // longest name stays at a length ElastiCache's ids are known to take.
      maxUsernameBytes: 40,
      async makeBusy() {
        // The cache turns every new connection away ("max number of clients reached") while this one holds the
        // only slot: what a cache at its connection limit answers.
        const admin = new Redis({
          host: '127.0.0.1',
          port: redis.port,
          tls: { ca: servers.ca },
          username: 'default',
          password: redis.password,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        admin.on('error', () => {});
        await admin.connect();
        const [, before] = (await admin.config('GET', 'maxclients')) as [string, string];
        await admin.config('SET', 'maxclients', '1');
        return async () => {
          await admin.config('SET', 'maxclients', before);
          admin.disconnect();
        };
      },
    },
    async stop() {
      await aws.stop();
      await servers.stop();
    },
  };
}
