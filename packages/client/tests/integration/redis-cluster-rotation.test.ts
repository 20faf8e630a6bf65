/**
 * @rotor/client/ioredis's Cluster against a real TLS Redis Cluster (harness: three primaries, ACL users on
 * every node) that plays the local AWS endpoint's replication group `rotor-local`, with a user group
 * (every scenario's user) associated with it, as ElastiCache RBAC needs. The REAL ElastiCache rotation
 * bundle finds the cluster through the control plane and rotates through the local AWS endpoint, whose
 * user changes reach the nodes one after another (as ElastiCache propagates them), under every strategy,
 * while workers run SET/GET on keys spread over every primary:
 * - a long-lived rotating Cluster whose node connections are killed after each rotation (every node
 *   must log in again), and which meets a fourth node mid-way through MOVED and ASK (resharding);
 * - a fresh rotating Cluster per attempt (every attempt logs in to the nodes it uses);
 * - a long-lived node-redis cluster (createRotatingRedisCluster), its connections killed between commands
 *   (node-redis fails commands in flight on any disconnect; see support/gate.ts);
 * - a naive Cluster per attempt with AWSCURRENT as read before the attempt, whose failures are reported.
 * The @rotor/client workers must record zero failed operations.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DescribeUserGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createSecretCache, type SecretCache } from '@rotor/client';
import { createRotatingCluster } from '@rotor/client/ioredis';
import { createRotatingRedisCluster } from '@rotor/client/redis';
import { type RotorLogger, silentLogger } from '@rotor/core';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type RedisClusterHandle, startRedisCluster } from '@rotor/local-aws/harness';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBundles } from './support/bundles.ts';
import { createElastiCacheUserSecret, createUsersInGroup } from './support/elasticache-user.ts';
import { Gate } from './support/gate.ts';
import { refusalOf } from './support/redis.ts';
import { startWorkers, type WorkerTally } from './support/workers.ts';

const ROTATIONS = 8;
/** ElastiCache reaches the nodes one after another; this is the pause between two nodes. */
const NODE_DELAY_MS = 150;
const SCENARIO_TIMEOUT_MS = 180_000;
const STRATEGIES = ['dual-password', 'single-user', 'alternating-users'] as const;
type Strategy = (typeof STRATEGIES)[number];

const bundleCopies = copyBundles(['elasticache-rotation']);
let cluster: RedisClusterHandle;
let aws: LocalAws;
let sm: SecretsManagerClient;
let elasticache: ElastiCacheClient;
let cache: SecretCache;
const functionArns: Partial<Record<Strategy, string>> = {};
const userIdOf = (strategy: Strategy) => `cl-${strategy}`;
const firstPasswords = {} as Record<Strategy, string>;
const results: Partial<
  Record<
    Strategy,
    {
      longLived: WorkerTally;
      fresh: WorkerTally;
      nodeRedis: WorkerTally;
      naive: WorkerTally;
      recovered: number;
    }
  >
> = {};
let resharded: (() => Promise<void>) | undefined;

const newPassword = () => `Init-${randomBytes(12).toString('hex')}-A1`;
const startupNodes = () => cluster.nodes.slice(0, 3).map(({ host, port }) => ({ host, port }));
/** Every client verifies the nodes (announced by IP, which the test certificate names) against it. */
const tls = () => ({ ca: cluster.tls!.ca });
const recovery = { baseDelayMs: 20, maxDelayMs: 200 };

/**
 * Counts the client's "was refused" lines (refused logins it recovered from) and its warnings (a node-redis
 * node connecting without being named would log one).
 */
function refusalCounter(): RotorLogger & { refused: number; warnings: string[] } {
  const logger = {
    refused: 0,
    warnings: [] as string[],
    debug() {},
    info(message: string) {
      if (message.includes('was refused')) logger.refused++;
    },
    warn(message: string) {
      logger.warnings.push(message);
    },
    error() {},
  };
  return logger;
}

/** 48 keys per strategy; the test checks they land on every primary. */
const keysOf = (strategy: Strategy) => Array.from({ length: 48 }, (_, i) => `load:${strategy}:${i}`);
/** Keys whose slots move to the added node mid-way (with their keys: ASK while moving, MOVED after). */
const movedKeysOf = (strategy: Strategy) => keysOf(strategy).slice(0, 4);
/** Both per-attempt clients may retry a startup whose connections the test just killed. */
const perAttemptClusterRetry = (times: number) => (times > 5 ? null : 50);

let writes = 0;

/**
 * One SET and one GET of a new key in the slot of `slotKey` (a hash tag), so concurrent workers never
 * read each other's writes; an attempt that takes over 10 s counts as failed (a hang is a failure too).
 */
async function setAndGet(client: Cluster, slotKey: string): Promise<void> {
  const key = `{${slotKey}}:${writes++}`;
  const value = randomBytes(4).toString('hex');
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('operation took over 10 s')), 10_000);
  });
  try {
    await Promise.race([client.set(key, value, 'PX', 30_000), hang]);
    const read = await Promise.race([client.get(key), hang]);
    if (read !== value) throw new Error(`read ${read} after writing ${value} to ${key}`);
  } finally {
    clearTimeout(timer);
  }
}

async function rotate(secretId: string, strategy: Strategy, index: number): Promise<void> {
  await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      ...(index === 0
        ? { RotationLambdaARN: functionArns[strategy], RotationRules: { AutomaticallyAfterDays: 30 } }
        : {}),
    }),
  );
  const record = await aws.waitForRotation(secretId, { timeoutMs: 60_000 });
  expect(record.error).toBeUndefined();
  expect(record.status).toBe('succeeded');
}

beforeAll(async () => {
  // TLS: ElastiCache associates user groups only with caches that encrypt in transit.
  cluster = await startRedisCluster({ tls: true });
  aws = await startLocalAws({
    // The shorthand replication group, rotor-local, reports node 0 as its endpoint.
    elasticache: { aclBackend: cluster.aclBackend({ nodeDelayMs: NODE_DELAY_MS }), modifyingDelayMs: 20 },
    rotation: { maxAttempts: 1, retryDelayMs: 50 },
  });
  for (const strategy of STRATEGIES) {
    functionArns[strategy] = aws.registerFunction({
      functionName: `rotor-elasticache-cluster-${strategy}`,
      bundlePath: bundleCopies.entry('elasticache-rotation'),
      handler: 'index.handler',
      timeoutSeconds: 60,
      environment: {
        // The function finds the cluster through the control plane (user group -> replication group ->
        // its endpoint, node 0, TLS) and verifies it with the test certificate. testSecret logs in to that
        // node; the user turns active only once every node has it.
        ROTOR_CACHE_CA_FILE: cluster.tls!.caFile,
        ROTOR_STRATEGY: strategy,
        WAITING_RETRY_INTERVAL_IN_SECONDS: '0.05',
        POWERTOOLS_LOG_LEVEL: 'WARN',
      },
    }).functionArn;
  }
  const clientConfig = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
  sm = new SecretsManagerClient(clientConfig);
  elasticache = new ElastiCacheClient(clientConfig);
  cache = createSecretCache({ client: new SecretsManagerClient(clientConfig), logger: silentLogger });
  // Every scenario's user, in the user group of the cluster before the scenarios run side by side
  // (alternating users: the function adds the clone to the same group).
  for (const strategy of STRATEGIES) firstPasswords[strategy] = newPassword();
  await createUsersInGroup(
    { elasticache, aws },
    {
      replicationGroupId: 'rotor-local',
      userGroupId: 'cluster-users',
      users: STRATEGIES.map((strategy) => ({
        userId: userIdOf(strategy),
        password: firstPasswords[strategy],
      })),
    },
  );
  // Resharding happens once, in whichever scenario gets there first, and every scenario sees it.
  let reshard: Promise<void> | undefined;
  resharded = () => {
    reshard ??= (async () => {
      await cluster.addNode();
      const slots = await Promise.all(
        STRATEGIES.flatMap((strategy) => movedKeysOf(strategy)).map((key) => cluster.keySlot(key)),
      );
      await cluster.moveSlots([...new Set(slots)], 3);
    })();
    return reshard;
  };
});

afterAll(async () => {
  console.info(
    `Redis Cluster rotations (real ElastiCache bundle via local AWS, ${ROTATIONS} rotations per strategy, user changes ${NODE_DELAY_MS} ms apart per node, 3 primaries + 1 added mid-way):\n${Object.entries(
      results,
    )
      .map(
        ([name, r]) =>
          `  ${name.padEnd(18)} @rotor/client long-lived Cluster: ${r.longLived.failures} failed / ${r.longLived.attempts} ops, fresh Cluster per attempt: ${r.fresh.failures} failed / ${r.fresh.attempts}${r.fresh.failures ? ` ${JSON.stringify(r.fresh.errors)}` : ''}, node-redis cluster: ${r.nodeRedis.failures} failed / ${r.nodeRedis.attempts}${r.nodeRedis.failures ? ` ${JSON.stringify(r.nodeRedis.errors)}` : ''} (${r.recovered} refused logins recovered)   naive: ${r.naive.failures} failed / ${r.naive.attempts} ${JSON.stringify(r.naive.errors)}`,
      )
      .join('\n')}`,
  );
  elasticache?.destroy();
  sm?.destroy();
  await aws?.stop();
  await cluster?.stop();
  rmSync(bundleCopies.dir, { recursive: true, force: true });
});

describe.concurrent('ioredis Cluster through every strategy (user changes applied node by node)', () => {
  for (const strategy of STRATEGIES) {
    it(`${strategy}: ${ROTATIONS} rotations, zero failed operations through createRotatingCluster`, {
      timeout: SCENARIO_TIMEOUT_MS,
    }, async () => {
      const userId = userIdOf(strategy);
      const password = firstPasswords[strategy];
      const secretId = `cluster/${strategy}`;
      await createElastiCacheUserSecret({ sm, aws }, { userId, password, secretId });
      const keys = keysOf(strategy);
      const owners = new Set(
        await Promise.all(keys.map(async (key) => cluster.ownerOf(await cluster.keySlot(key)))),
      );
      expect(owners).toEqual(new Set([0, 1, 2]));
      const logger = refusalCounter();
      let turn = 0;
      const nextKey = () => keys[turn++ % keys.length]!;

      const longLived = createRotatingCluster({
        secretId,
        cache,
        logger,
        recovery,
        nodes: startupNodes(),
        cluster: { redisOptions: { tls: tls() } },
      });
      longLived.on('error', () => {});
      const longLivedWorkers = startWorkers(2, () => setAndGet(longLived, nextKey()), 5);
      /** One new cluster client per attempt: it logs in to the nodes it uses, then is closed. */
      const perAttempt = (connect: () => Promise<Cluster>) => async () => {
        const client = await connect();
        client.on('error', () => {});
        try {
          await setAndGet(client, nextKey());
        } finally {
          client.disconnect();
        }
      };
      const freshWorkers = startWorkers(
        1,
        perAttempt(async () =>
          createRotatingCluster({
            secretId,
            cache,
            logger,
            recovery,
            nodes: startupNodes(),
            cluster: { clusterRetryStrategy: perAttemptClusterRetry, redisOptions: { tls: tls() } },
          }),
        ),
        10,
      );
      const nodeRedis = createRotatingRedisCluster({
        secretId,
        cache,
        logger,
        recovery,
        nodes: startupNodes(),
        // CLIENT SETNAME on every connection, so the test can find this client's connections on a node.
        cluster: { defaults: { name: `node-redis-${strategy}`, socket: { tls: true, ...tls() } } },
      });
      nodeRedis.on('error', () => {});
      await nodeRedis.connect();
      const gate = new Gate();
      const nodeRedisWorkers = startWorkers(
        1,
        () =>
          gate.run(async () => {
            const key = `{${nextKey()}}:${writes++}`;
            const value = randomBytes(4).toString('hex');
            await nodeRedis.set(key, value, { expiration: { type: 'PX', value: 30_000 } });
            const read = await nodeRedis.get(key);
            if (read !== value) throw new Error(`read ${String(read)} after writing ${value} to ${key}`);
          }),
        5,
      );
      const naiveWorkers = startWorkers(
        1,
        perAttempt(async () => {
          const secret = JSON.parse(
            (await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!,
          ) as { username: string; password: string };
          return new Cluster(startupNodes(), {
            redisOptions: { username: secret.username, password: secret.password, tls: tls() },
            clusterRetryStrategy: perAttemptClusterRetry,
          });
        }),
        10,
      );
      try {
        for (let i = 0; i < ROTATIONS; i++) {
          await rotate(secretId, strategy, i);
          // Every node connection of the user must log in again (ElastiCache closes them on some
          // changes; failovers and network blips do too).
          await gate.between(() => cluster.killUserClients(userId));
          if (i === 2) await resharded?.();
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        results[strategy] = {
          longLived: await longLivedWorkers.stop(),
          fresh: await freshWorkers.stop(),
          nodeRedis: await nodeRedisWorkers.stop(),
          naive: await naiveWorkers.stop(),
          recovered: logger.refused,
        };
      }
      const result = results[strategy]!;
      // Both clients followed the resharding: their keys in moved slots are served by the new node, over
      // connections that logged in there as the secret's user.
      for (const key of movedKeysOf(strategy)) {
        await setAndGet(longLived, key);
        await nodeRedis.set(`{${key}}:check`, 'x', { expiration: { type: 'PX', value: 30_000 } });
      }
      const clientsOnNewNode = String(await cluster.command(3, 'CLIENT', 'LIST')).split('\n');
      longLived.disconnect();
      nodeRedis.destroy();
      // (alternating users: the secret's user is now either the user or its clone)
      const logins = clientsOnNewNode.filter((line) => new RegExp(` user=${userId}\\S* `).test(line));
      expect(logins.length).toBeGreaterThanOrEqual(2);
      expect(logins.some((line) => line.includes(` name=node-redis-${strategy} `))).toBe(true);
      expect(result.longLived.failures).toBe(0);
      expect(result.longLived.attempts).toBeGreaterThan(ROTATIONS * 5);
      expect(result.fresh.failures).toBe(0);
      expect(result.nodeRedis.failures).toBe(0);
      expect(logger.warnings.filter((line) => line.includes('did not say which node'))).toEqual([]);
      expect(result.nodeRedis.attempts).toBeGreaterThan(ROTATIONS * 5);
      expect(result.fresh.attempts).toBeGreaterThan(ROTATIONS);
      if (strategy === 'alternating-users') {
        // The function put the clone into the source's user group, the only way it reaches the cluster.
        const groups = await elasticache.send(
          new DescribeUserGroupsCommand({ UserGroupId: 'cluster-users' }),
        );
        expect(groups.UserGroups?.[0]?.UserIds).toContain(`${userId}-clone`);
      }
      if (strategy === 'single-user') {
        // Mid-propagation no single password works on every node: the naive client must fail.
        expect(result.naive.failures).toBeGreaterThan(0);
        expect(result.recovered).toBeGreaterThan(0);
      }
      // Negative control: the first password is refused by every node, the added one included.
      for (const node of cluster.nodes) {
        expect(await refusalOf({ ...node, username: userId, password, tls: tls() })).toMatch(/^WRONGPASS/);
      }
    });
  }
});
