/**
 * ElastiCache scenarios: dual-password, single-user, and alternating users whose user is in 0, 1 or 2 user
 * groups (with and without a `modifying` delay). Each case creates its own user (switched on, with a first
 * password), its groups and its secret through the emulated control plane, as an operator would.
 *
 * Logins go to the endpoint the control plane reports for the replication group, so when the emulator
 * admits a user only to caches of its user groups, these scenarios test exactly that.
 */
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { CrashCaseContext, PreparedTarget, UserCredentials } from '@rotor/testkit/crash';
import { redisPasswordHash } from '@rotor/testkit/crash';
import { Redis } from 'ioredis';
import { type CrashEnvironment, initialPassword } from '../environment.js';
import type { ScenarioSpec } from './spec.js';

interface ElastiCacheVariant {
  strategy: 'dual-password' | 'single-user' | 'alternating-users';
  groups: number;
  modifyingDelayMs: number;
}

/** How long users and groups stay `modifying` in the scenarios that have a delay. */
const MODIFYING_DELAY_MS = 300;

const VARIANTS: Array<[string, ElastiCacheVariant]> = [
  ['elasticache/dual-password', { strategy: 'dual-password', groups: 1, modifyingDelayMs: 0 }],
  ['elasticache/single-user', { strategy: 'single-user', groups: 1, modifyingDelayMs: 0 }],
  ...[0, 1, 2].flatMap((groups) =>
    [0, MODIFYING_DELAY_MS].map((delay): [string, ElastiCacheVariant] => [
      `elasticache/alternating-users/${groups}-groups${delay > 0 ? '/modifying' : ''}`,
      { strategy: 'alternating-users', groups, modifyingDelayMs: delay },
    ]),
  ),
];

export const elastiCacheScenarioSpecs: ScenarioSpec[] = VARIANTS.map(([name, variant]) => ({
  name,
  engine: 'elasticache',
  create(env: CrashEnvironment) {
    const redisUrl = env.redis!.url;
    const bundlePath = env.bundles.elasticache!;
    return {
      name,
      loginThroughout: variant.strategy !== 'single-user',
      services: { elasticache: { redisUrl, modifyingDelayMs: variant.modifyingDelayMs } },
      prepare: (context) => prepareElastiCache(context, variant, redisUrl, bundlePath),
    };
  },
}));

async function prepareElastiCache(
  context: CrashCaseContext,
  variant: ElastiCacheVariant,
  redisUrl: string,
  bundlePath: string,
): Promise<PreparedTarget> {
  const ec = new ElastiCacheClient({
    endpoint: context.endpoint,
    region: context.region,
    credentials: context.credentials,
    maxAttempts: 2,
  });
  const userId = `app-${context.caseId}`;
  const cloneId = `${userId}-clone`;
  const password = initialPassword();
  const created = await ec.send(
    new CreateUserCommand({
      UserId: userId,
      UserName: userId,
      Engine: 'redis',
      AccessString: 'on ~* +@all',
      Passwords: [password],
    }),
  );
  await waitUntil(async () => (await describeUser(ec, userId))?.Status === 'active');
  for (let g = 0; g < variant.groups; g++) {
    const groupId = `grp-${context.caseId}-${g}`;
    await ec.send(
      new CreateUserGroupCommand({ UserGroupId: groupId, Engine: 'redis', UserIds: ['default', userId] }),
    );
    await waitUntil(async () => {
      const group = (await ec.send(new DescribeUserGroupsCommand({ UserGroupId: groupId }))).UserGroups?.[0];
      return group?.Status === 'active';
    });
  }
  const cache = await cacheEndpoint(ec);
  const secret = await context.secretsManager.send(
    new CreateSecretCommand({
      Name: `crash/elasticache/${context.caseId}`,
      SecretString: JSON.stringify({ user_arn: created.ARN, username: userId, password }),
    }),
  );

  return {
    secretId: secret.ARN!,
    function: {
      bundlePath,
      handler: 'handler',
      timeoutSeconds: 60,
      environment: {
        SECRET_ARN: secret.ARN!,
        USER_NAME: userId,
        ROTOR_STRATEGY: variant.strategy,
        ROTOR_CACHE_HOST: cache.host,
        ROTOR_CACHE_PORT: String(cache.port),
        ROTOR_CACHE_TLS: 'false',
        WAITING_RETRY_INTERVAL_IN_SECONDS: '0.2',
      },
    },
    login: (username, candidate) => redisLogin(cache, username, candidate),
    heldCredentials: () => aclPasswords(redisUrl, [userId, cloneId]),
    async controlPlaneProblems() {
      const source = await describeUser(ec, userId);
      const clone = await describeUser(ec, cloneId);
      if (!source || !clone) return [];
      const cloneGroups = new Set(clone.UserGroupIds ?? []);
      return (source.UserGroupIds ?? [])
        .filter((groupId) => !cloneGroups.has(groupId))
        .map(
          (groupId) =>
            `"${cloneId}" is not in user group "${groupId}" of "${userId}": AWSCURRENT fails on its caches`,
        );
    },
    async cleanup() {
      ec.destroy();
    },
  };
}

async function describeUser(ec: ElastiCacheClient, userId: string) {
  try {
    return (await ec.send(new DescribeUsersCommand({ UserId: userId }))).Users?.[0];
  } catch (error) {
    if (
      (error as { name?: string }).name === 'UserNotFoundFault' ||
      (error as { name?: string }).name === 'UserNotFound'
    ) {
      return undefined;
    }
    throw error;
  }
}

/** Where clients of the cache connect: the replication group's endpoint as the control plane reports it. */
async function cacheEndpoint(ec: ElastiCacheClient): Promise<{ host: string; port: number }> {
  const group = (await ec.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups?.[0];
  const endpoint = group?.ConfigurationEndpoint ?? group?.NodeGroups?.[0]?.PrimaryEndpoint;
  if (!endpoint?.Address || !endpoint.Port)
    throw new Error('The emulated ElastiCache reports no cache endpoint');
  return { host: endpoint.Address, port: endpoint.Port };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('ElastiCache setup did not become active in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One fresh connection and AUTH: true when accepted, false for WRONGPASS; anything else throws. */
export async function redisLogin(
  cache: { host: string; port: number },
  username: string,
  password: string,
): Promise<boolean> {
  const client = new Redis({
    host: cache.host,
    port: cache.port,
    // RESP2: no HELLO before AUTH, so the reply to AUTH is the whole answer.
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.call('AUTH', username, password)) === 'OK';
  } catch (error) {
    if (/^(WRONGPASS|NOAUTH)/.test((error as Error).message)) return false;
    throw error;
  } finally {
    client.disconnect();
  }
}

/** The SHA-256 password hashes Redis holds for each user (`ACL GETUSER`), as credentials to open. */
async function aclPasswords(redisUrl: string, usernames: readonly string[]): Promise<UserCredentials[]> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, protocol: 2 });
  try {
    await admin.connect();
    const users: UserCredentials[] = [];
    for (const username of usernames) {
      const reply = (await admin.call('ACL', 'GETUSER', username)) as unknown[] | null;
      if (!reply) continue;
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
      const flags = (fields.get('flags') as string[] | undefined) ?? [];
      const hashes = ((fields.get('passwords') as string[] | undefined) ?? []).map(String);
      const credentials = hashes.map((hash, index) => ({
        describe: `ACL password ${index + 1} of ${hashes.length}`,
        opens: (password: string) => redisPasswordHash(password) === hash,
      }));
      if (flags.includes('nopass'))
        credentials.push({ describe: 'nopass: any password', opens: () => false });
      users.push({ username, credentials });
    }
    return users;
  } finally {
    admin.disconnect();
  }
}
