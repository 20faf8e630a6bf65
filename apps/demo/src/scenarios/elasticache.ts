/**
 * The ElastiCache seed workflow ("Automatically rotating passwords for users"), as an operator does it with
 * the AWS SDK against the local endpoint:
 *   1. create an inactive user: CreateUser --no-password --access-string "off +get ~keys*";
 *   2. add it to the user group of the cache (users reach a cache only through its user group);
 *   3. create the secret {"user_arn", "username"} (no password: the first rotation sets it);
 *   4. configure the rotation function (SECRET_ARN, USER_NAME) and turn rotation on (RotateSecret);
 *   5. switch the user on once it has passwords (rotation never changes the access string).
 * The function finds the cache through the control plane and logs in over verified TLS.
 */
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  type ElastiCacheClient,
  ModifyReplicationGroupCommand,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createSecretCache } from '@rotor/client';
import { connectRedis } from '@rotor/client/ioredis';
import { type StrategyId, silentLogger } from '@rotor/core';
import { Redis } from 'ioredis';
import type { RedisTarget } from '../environment/servers.js';
import { createNaiveSecretReader } from '../workload/naive-secret-reader.js';
import {
  type PreparedScenario,
  type ScenarioEnvironment,
  STRATEGY_SLUG,
  turnOnRotation,
} from './scenario.js';

const KEY = 'keys:demo';
/** The replication group the demo's Redis plays, and the user group associated with it. */
export const DEMO_CACHE = 'rotor-demo';
export const DEMO_USER_GROUP = 'demo-users';
/** The seed page's access string, and the same switched on. */
const ACCESS_OFF = 'off +get ~keys*';
const ACCESS_ON = 'on +get ~keys*';
/** How long a login attempt may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 3_000;

export async function prepareElastiCacheScenario(
  env: ScenarioEnvironment,
  strategy: StrategyId,
): Promise<PreparedScenario> {
  const elasticache = env.elasticache;
  const redis = env.servers.redis;
  const bundle = env.bundles.elasticache;
  if (!elasticache || !redis || !bundle)
    throw new Error('The ElastiCache scenario needs Redis, the endpoint and its bundle');
  const userId = `demo-${STRATEGY_SLUG[strategy]}`;
  const secretName = `demo/elasticache/${userId}`;

  env.log(`[elasticache/${strategy}] CreateUser ${userId} --no-password --access-string "${ACCESS_OFF}"`);
  const user = await elasticache.send(
    new CreateUserCommand({
      UserId: userId,
      UserName: userId,
      Engine: 'REDIS',
      NoPasswordRequired: true,
      AccessString: ACCESS_OFF,
    }),
  );
  if (!user.ARN) throw new Error(`CreateUser returned no ARN for ${userId}`);
  env.log(`[elasticache/${strategy}] ModifyUserGroup ${DEMO_USER_GROUP} --user-ids-to-add ${userId}`);
  await waitActive(elasticache, userId, env.modifyingDelayMs);
  await joinUserGroup(elasticache, userId, env.modifyingDelayMs);

  env.log(`[elasticache/${strategy}] CreateSecret ${secretName} {"user_arn", "username"}`);
  const secret = await env.secretsManager.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({ user_arn: user.ARN, username: userId }),
    }),
  );
  if (!secret.ARN) throw new Error(`CreateSecret returned no ARN for ${secretName}`);

  const fn = env.aws.registerFunction({
    functionName: `rotor-elasticache-${STRATEGY_SLUG[strategy]}`,
    bundlePath: bundle,
    // The seed page asks for "at least 12 minutes" because AWS's function polls every 10 s; Rotor's waits as long
    // as the change takes, so the timeout covers the (bench's) modifying delay with room to spare.
    timeoutSeconds: Math.max(120, Math.ceil((2 * env.modifyingDelayMs) / 1000) + 30),
    environment: {
      SECRET_ARN: secret.ARN,
      USER_NAME: userId,
      ROTOR_STRATEGY: strategy,
      ...cacheFunctionEnvironment(redis, demoCacheArn(user.ARN)),
    },
  });

  env.log(
    `[elasticache/${strategy}] RotateSecret --rotation-lambda-arn ${fn.functionArn} (the first rotation gives the user its password)`,
  );
  await turnOnRotation(env, secretName, fn.functionArn);

  // Rotation never touches the access string, so switching the user(s) on is the operator's step. With
  // alternating users the function created the other user as a copy, also "off".
  const users = await usersOfSecret(env, secretName);
  for (const id of users) {
    env.log(`[elasticache/${strategy}] ModifyUser ${id} --access-string "${ACCESS_ON}"`);
    await waitActive(elasticache, id, env.modifyingDelayMs);
    await elasticache.send(new ModifyUserCommand({ UserId: id, AccessString: ACCESS_ON }));
    await waitActive(elasticache, id, env.modifyingDelayMs);
  }
  await seedKey(redis);

  const rotorCache = createSecretCache({ client: env.newSecretsManagerClient(), logger: silentLogger });
  const naive = createNaiveSecretReader(env.newSecretsManagerClient(), secretName);
  const endpoint = { host: redis.host, port: redis.port, tls: tlsOptions(redis) };

  return {
    engine: 'elasticache',
    strategy,
    secretId: secretName,
    loginAttempt(kind) {
      if (kind === 'rotor') {
        return async (signal) => {
          const client = await connectRedis({
            secretId: secretName,
            cache: rotorCache,
            logger: silentLogger,
            recovery: { signal },
            redis: { ...endpoint, connectTimeout: CONNECT_TIMEOUT_MS, enableReadyCheck: false },
          });
          try {
            await client.get(KEY);
          } finally {
            client.disconnect();
          }
        };
      }
      return async () => {
        const credentials = await naive.read();
        await getWithFreshConnection({ ...endpoint, ...credentials });
      };
    },
    async close() {
      naive.close();
    },
  };
}

/** The user ids the secret's AWSCURRENT and AWSPREVIOUS versions name (one, or two with alternating users). */
async function usersOfSecret(env: ScenarioEnvironment, secretName: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    try {
      const value = await env.secretsManager.send(
        new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }),
      );
      const arn = (JSON.parse(value.SecretString ?? '{}') as { user_arn?: string }).user_arn;
      const id = arn?.split(':').pop();
      if (id) ids.add(id);
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
  }
  return [...ids];
}

function waitActive(client: ElastiCacheClient, userId: string, modifyingDelayMs: number): Promise<void> {
  return waitUntil(
    async () => {
      const described = await client.send(new DescribeUsersCommand({ UserId: userId }));
      return described.Users?.[0]?.Status === 'active';
    },
    `ElastiCache user ${userId} to be active`,
    modifyingDelayMs,
  );
}

/** What the rotation function needs to verify the cache: its certificate, unless it is publicly trusted. */
/**
 * The function's cache settings, as the SAM template sets them: the CA of the throwaway server, and the caches
 * the login test may use (CacheArns -> ROTOR_CACHE_ARNS), when the users are in a group a cache holds.
 */
export function cacheFunctionEnvironment(redis: RedisTarget, cacheArn?: string): Record<string, string> {
  return {
    ...(redis.caFile ? { ROTOR_CACHE_CA_FILE: redis.caFile } : {}),
    ...(cacheArn ? { ROTOR_CACHE_ARNS: cacheArn } : {}),
  };
}

/** The demo cache's ARN, in the account and region of one of its users. */
function demoCacheArn(userArn: string): string {
  return userArn.replace(/:user:[^:]+$/, `:replicationgroup:${DEMO_CACHE}`);
}

/**
 * TLS options for the demo's own clients. The throwaway server's certificate names `localhost` too, which
 * lets SNI carry a host name rather than the IP address (Node warns about an IP as SNI).
 */
function tlsOptions(redis: RedisTarget): { ca?: string; servername?: string } {
  return {
    ...(redis.ca ? { ca: redis.ca } : {}),
    ...(redis.throwaway ? { servername: 'localhost' } : {}),
  };
}

/** The operator's one-time setup: a user group (with `default`), associated with the demo's cache. */
export async function associateDemoUserGroup(
  client: ElastiCacheClient,
  modifyingDelayMs: number,
): Promise<void> {
  await client.send(
    new CreateUserGroupCommand({ UserGroupId: DEMO_USER_GROUP, Engine: 'redis', UserIds: ['default'] }),
  );
  await waitGroupActive(client, modifyingDelayMs);
  await client.send(
    new ModifyReplicationGroupCommand({
      ReplicationGroupId: DEMO_CACHE,
      UserGroupIdsToAdd: [DEMO_USER_GROUP],
    }),
  );
  await waitUntil(
    async () => {
      const groups = await client.send(
        new DescribeReplicationGroupsCommand({ ReplicationGroupId: DEMO_CACHE }),
      );
      return groups.ReplicationGroups?.[0]?.Status === 'available';
    },
    `replication group ${DEMO_CACHE} to apply its user group`,
    modifyingDelayMs,
  );
}

async function joinUserGroup(
  client: ElastiCacheClient,
  userId: string,
  modifyingDelayMs: number,
): Promise<void> {
  await waitGroupActive(client, modifyingDelayMs);
  await client.send(new ModifyUserGroupCommand({ UserGroupId: DEMO_USER_GROUP, UserIdsToAdd: [userId] }));
  await waitGroupActive(client, modifyingDelayMs);
}

function waitGroupActive(client: ElastiCacheClient, modifyingDelayMs: number): Promise<void> {
  return waitUntil(
    async () => {
      const groups = await client.send(new DescribeUserGroupsCommand({ UserGroupId: DEMO_USER_GROUP }));
      return groups.UserGroups?.[0]?.Status === 'active';
    },
    `user group ${DEMO_USER_GROUP} to be active`,
    modifyingDelayMs,
  );
}

async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  modifyingDelayMs: number,
): Promise<void> {
  const deadline = Date.now() + 30_000 + modifyingDelayMs * 4;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(20, Math.min(250, modifyingDelayMs / 4))));
  }
}

async function seedKey(redis: RedisTarget): Promise<void> {
  const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, tls: tlsOptions(redis) });
  try {
    await admin.connect();
    await admin.set(KEY, 'rotated credentials still open the door');
  } finally {
    admin.disconnect();
  }
}

/** One plain ioredis login and GET on a fresh connection; rejects with the server's error (WRONGPASS ...). */
async function getWithFreshConnection(options: {
  host: string;
  port: number;
  tls: { ca?: string; servername?: string };
  username: string;
  password: string;
}): Promise<void> {
  const client = new Redis({
    ...options,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  let serverError: unknown;
  client.on('error', (error: unknown) => {
    serverError ??= error;
  });
  try {
    await client.connect();
    await client.get(KEY);
  } catch (error) {
    throw serverError ?? error;
  } finally {
    client.disconnect();
  }
}
