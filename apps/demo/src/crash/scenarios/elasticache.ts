/**
 * ElastiCache scenarios: dual-password, single-user, and alternating users whose user is in 1 or 2 user
 * groups (with and without a `modifying` delay). Each case creates its own user (switched on, with a first
 * password), its user groups and its secret through the emulated control plane, as an operator would, and
 * associates each group with one of its worker slot's TLS caches (a replication group takes one user group).
 *
 * The emulator admits a user only to the caches of its user groups, and only over TLS, as ElastiCache does:
 * the function finds the caches through the control plane (no ROTOR_CACHE_HOST) and verifies them with the
 * harness's CA, and "AWSCURRENT logs in" means it logs in to every cache of the user's groups. Dual-password and
 * single-user functions are configured with their caches, as the template does (ROTOR_CACHE_ARNS, decision
 * 0094); alternating users find them through the user groups.
 *
 * A user in no user group logs in nowhere on ElastiCache: its function runs with ROTOR_LOGIN_TEST=off (the
 * documented opt-out), no client logs in during the case, and only after it are the user and its clone put in
 * a verification group on a cache of the slot, so that what the control plane stored is proven by real logins.
 */
import { readFileSync } from 'node:fs';
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { CrashCache, CrashCaseContext, PreparedTarget, UserCredentials } from '@rotor/testkit/crash';
import { redisPasswordHash } from '@rotor/testkit/crash';
import { Redis } from 'ioredis';
import { type CrashEnvironment, initialPassword, slotCacheId } from '../environment.js';
import type { ScenarioSpec } from './spec.js';

interface ElastiCacheVariant {
  strategy: 'dual-password' | 'single-user' | 'alternating-users';
  groups: 0 | 1 | 2;
  modifyingDelayMs: number;
  /** The function is told its caches (ROTOR_CACHE_ARNS) instead of finding them through the user groups. */
  configuredCaches?: true;
}

/** How long users, groups and caches stay `modifying` in the scenarios that have a delay. */
const MODIFYING_DELAY_MS = 300;

const VARIANTS: Array<[string, ElastiCacheVariant]> = [
  [
    'elasticache/dual-password',
    { strategy: 'dual-password', groups: 1, modifyingDelayMs: 0, configuredCaches: true },
  ],
  [
    'elasticache/single-user',
    { strategy: 'single-user', groups: 1, modifyingDelayMs: 0, configuredCaches: true },
  ],
  ...([0, 1, 2] as const).flatMap((groups) =>
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
    const caches = env.caches!;
    const ca = readFileSync(caches.servers.caFile, 'utf8');
    return {
      name,
      loginThroughout: variant.strategy !== 'single-user' && variant.groups > 0,
      services: { elasticache: { caches: caches.list, modifyingDelayMs: variant.modifyingDelayMs } },
      prepare: (context) =>
        prepareElastiCache(context, variant, {
          caches: caches.list,
          ca,
          caFile: caches.servers.caFile,
          bundlePath: env.bundles.elasticache!,
        }),
    };
  },
}));

interface ElastiCacheWorld {
  caches: readonly CrashCache[];
  /** PEM that verifies every cache, and the file holding it (the function's ROTOR_CACHE_CA_FILE). */
  ca: string;
  caFile: string;
  bundlePath: string;
}

interface CacheAddress {
  id: string;
  host: string;
  port: number;
  redisUrl: string;
}

async function prepareElastiCache(
  context: CrashCaseContext,
  variant: ElastiCacheVariant,
  world: ElastiCacheWorld,
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
  const addresses: CacheAddress[] = [];
  const cacheArns: string[] = [];
  for (let g = 0; g < variant.groups; g++) {
    const groupId = `grp-${context.caseId}-${g}`;
    await ec.send(
      new CreateUserGroupCommand({ UserGroupId: groupId, Engine: 'redis', UserIds: ['default', userId] }),
    );
    await waitUntil(async () => (await describeGroup(ec, groupId))?.Status === 'active');
    addresses.push(await associate(ec, slotCacheId(context.slot, g), groupId, world.caches));
    cacheArns.push(created.ARN!.replace(/:user:[^:]+$/, `:replicationgroup:${slotCacheId(context.slot, g)}`));
  }
  // 0 groups: once the case is over, a verification group on a cache of the slot makes the users reachable.
  let verification: Promise<CacheAddress[]> | undefined;
  const reachable = async (): Promise<CacheAddress[]> => {
    if (addresses.length > 0) return addresses;
    verification ??= (async () => {
      const groupId = `verify-${context.caseId}`;
      const members = [userId, ...((await describeUser(ec, cloneId)) ? [cloneId] : [])];
      await ec.send(
        new CreateUserGroupCommand({
          UserGroupId: groupId,
          Engine: 'redis',
          UserIds: ['default', ...members],
        }),
      );
      await waitUntil(async () => (await describeGroup(ec, groupId))?.Status === 'active');
      return [await associate(ec, slotCacheId(context.slot, 0), groupId, world.caches)];
    })();
    return verification;
  };
  const secret = await context.secretsManager.send(
    new CreateSecretCommand({
      Name: `crash/elasticache/${context.caseId}`,
      SecretString: JSON.stringify({ user_arn: created.ARN, username: userId, password }),
    }),
  );

  return {
    secretId: secret.ARN!,
    function: {
      bundlePath: world.bundlePath,
      handler: 'handler',
      timeoutSeconds: 60,
      environment: {
        SECRET_ARN: secret.ARN!,
        USER_NAME: userId,
        ROTOR_STRATEGY: variant.strategy,
        ROTOR_CACHE_CA_FILE: world.caFile,
        WAITING_RETRY_INTERVAL_IN_SECONDS: '0.2',
        ...(variant.groups === 0 ? { ROTOR_LOGIN_TEST: 'off' } : {}),
        ...(variant.configuredCaches ? { ROTOR_CACHE_ARNS: cacheArns.join(',') } : {}),
      },
    },
    async login(username, candidate) {
      return loginEverywhere(await reachable(), world.ca, username, candidate);
    },
    async heldCredentials() {
      return aclPasswords(await reachable(), world.ca, [userId, cloneId]);
    },
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

/**
 * Associates the case's user group with a cache of its slot, in place of the previous case's group, and
 * returns where the control plane says clients connect.
 */
async function associate(
  ec: ElastiCacheClient,
  cacheId: string,
  groupId: string,
  caches: readonly CrashCache[],
): Promise<CacheAddress> {
  const before = await describeCache(ec, cacheId);
  const previous = before.UserGroupIds ?? [];
  await ec.send(
    new ModifyReplicationGroupCommand({
      ReplicationGroupId: cacheId,
      UserGroupIdsToAdd: [groupId],
      ...(previous.length > 0 ? { UserGroupIdsToRemove: previous } : {}),
    }),
  );
  let endpoint: { Address?: string; Port?: number } | undefined;
  await waitUntil(async () => {
    const group = await describeCache(ec, cacheId);
    endpoint = group.NodeGroups?.[0]?.PrimaryEndpoint;
    return group.Status === 'available' && (group.UserGroupIds ?? []).includes(groupId);
  });
  const redisUrl = caches.find((cache) => cache.replicationGroupId === cacheId)?.redisUrl;
  if (!endpoint?.Address || !endpoint.Port || !redisUrl)
    throw new Error(`The emulated ElastiCache reports no endpoint for ${cacheId}`);
  return { id: cacheId, host: endpoint.Address, port: endpoint.Port, redisUrl };
}

async function describeCache(ec: ElastiCacheClient, cacheId: string) {
  const group = (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: cacheId })))
    .ReplicationGroups?.[0];
  if (!group) throw new Error(`The emulated ElastiCache has no replication group ${cacheId}`);
  return group;
}

async function describeGroup(ec: ElastiCacheClient, groupId: string) {
  return (await ec.send(new DescribeUserGroupsCommand({ UserGroupId: groupId }))).UserGroups?.[0];
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

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('ElastiCache setup did not become active in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when every cache of the user's groups accepts the password, false when any refuses it. */
async function loginEverywhere(
  caches: readonly CacheAddress[],
  ca: string,
  username: string,
  password: string,
): Promise<boolean> {
  for (const cache of caches) {
    if (!(await redisLogin(cache, ca, username, password))) return false;
  }
  return true;
}

/** One fresh TLS connection and AUTH: true when accepted, false for WRONGPASS; anything else throws. */
export async function redisLogin(
  cache: { host: string; port: number },
  ca: string,
  username: string,
  password: string,
): Promise<boolean> {
  const client = new Redis({
    host: cache.host,
    port: cache.port,
    tls: { ca },
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

/** The SHA-256 password hashes each cache's Redis holds for each user (`ACL GETUSER`), as credentials. */
async function aclPasswords(
  caches: readonly CacheAddress[],
  ca: string,
  usernames: readonly string[],
): Promise<UserCredentials[]> {
  const users = new Map<string, UserCredentials>();
  for (const cache of caches) {
    const admin = new Redis(cache.redisUrl, {
      tls: { ca },
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      protocol: 2,
    });
    try {
      await admin.connect();
      for (const username of usernames) {
        const reply = (await admin.call('ACL', 'GETUSER', username)) as unknown[] | null;
        if (!reply) continue;
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
        const flags = (fields.get('flags') as string[] | undefined) ?? [];
        const hashes = ((fields.get('passwords') as string[] | undefined) ?? []).map(String);
        const user = users.get(username) ?? { username, credentials: [] };
        users.set(username, user);
        const held = user.credentials;
        held.push(
          ...hashes.map((hash, index) => ({
            describe: `${cache.id}: ACL password ${index + 1} of ${hashes.length}`,
            opens: (candidate: string) => redisPasswordHash(candidate) === hash,
          })),
        );
        if (flags.includes('nopass'))
          held.push({ describe: `${cache.id}: nopass, any password`, opens: () => false });
      }
    } finally {
      admin.disconnect();
    }
  }
  return [...users.values()];
}
