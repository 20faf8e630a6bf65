import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { startRedisServer } from '@rotor/local-aws/harness';
import type { ConformanceTarget } from '@rotor/testkit';
import { Redis } from 'ioredis';
import type { ElastiCacheSecret } from '../../../src/index.ts';

export interface ElastiCacheTarget extends ConformanceTarget<ElastiCacheSecret> {
  aws: LocalAws;
  client: ElastiCacheClient;
}

/** User names may hold `_`; ElastiCache user ids may not, so the id swaps it for `-`. */
const userIdFor = (username: string) => username.toLowerCase().replace(/_/g, '-');

/**
 * ElastiCache for the conformance suite: the local endpoint's emulated users on a real redis-server.
 * Users are created through the API (as an operator would) and logins are checked with a raw ioredis
 * `AUTH`, independently of the engine.
 */
export async function startElastiCacheTarget(): Promise<ElastiCacheTarget> {
  const redis = await startRedisServer();
  const aws = await startLocalAws({ elasticache: { redisUrl: redis.url, modifyingDelayMs: 50 } });
  const client = new ElastiCacheClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  const arnFor = (username: string) =>
    `arn:aws:elasticache:${aws.region}:${aws.accountId}:user:${userIdFor(username)}`;
  let groups = 0;

  return {
    aws,
    client,
    secretFor(username, password) {
      return {
        username,
        user_arn: arnFor(username),
        host: '127.0.0.1',
        port: redis.port,
        tls: false,
        ...(password === undefined ? {} : { password }),
      };
    },
    async createUser(username, password) {
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
    },
    async canLogin(username, password) {
      const connection = new Redis({
        host: '127.0.0.1',
        port: redis.port,
        protocol: 2,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      connection.on('error', () => {});
      try {
        await connection.connect();
        return (await connection.call('AUTH', username, password)) === 'OK';
      } catch (error) {
        if (/WRONGPASS/.test(String((error as Error).message))) return false;
        throw error;
      } finally {
        connection.disconnect();
      }
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
    async stop() {
      await aws.stop();
      await redis.stop();
    },
  };
}
