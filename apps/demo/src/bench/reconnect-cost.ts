/**
 * Bench phase 6: what @rotor/client adds to one (re)connect. For each driver, N connections one after
 * another (after a warm-up), each timed from start until the client can run a command, then closed:
 * - a static-password client (the driver alone) and the same driver through @rotor/client with a warm
 *   secret cache (credentials valid): the steady-state cost of the glue;
 * - through @rotor/client inside the single-user gap (AWSCURRENT refused, AWSPENDING valid), each with a
 *   fresh cache (no pinned AWSPENDING yet): refused login, DescribeSecret, GetSecretValue of AWSPENDING
 *   over the local endpoint, login again. A real Secrets Manager adds its network round trips to this.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createSecretCache, type SecretCache } from '@rotor/client';
import { createRotatingRedis } from '@rotor/client/ioredis';
import { connect as connectPg } from '@rotor/client/pg';
import { createRotatingRedisClient } from '@rotor/client/redis';
import { silentLogger } from '@rotor/core';
import { startLocalAws } from '@rotor/local-aws';
import { startPostgresServer, startRedisServer } from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { type Summary, summarize } from '../report/stats.js';

export interface ReconnectCost {
  driver: string;
  /** The driver alone, static password. */
  staticMs: Summary;
  /** Through @rotor/client, warm cache, credentials valid. */
  rotorMs: Summary;
  /** Through @rotor/client inside the single-user gap, fresh cache: one refusal recovered per connect. */
  gapMs: Summary;
  /** rotor p50 - static p50. */
  addedP50Ms: number;
}

interface Driver {
  name: string;
  staticConnect(password: string): Promise<() => Promise<void>>;
  rotorConnect(cache: SecretCache, secretId: string): Promise<() => Promise<void>>;
}

const WARMUP = 10;

async function timeConnect(connect: () => Promise<() => Promise<void>>): Promise<number> {
  const started = performance.now();
  const close = await connect();
  const elapsed = performance.now() - started;
  await close();
  return elapsed;
}

/** Connections per block; the first of each block is not counted (see timeInterleaved). */
const BLOCK = 25;

/**
 * Times each variant `n` times in alternating blocks (A-block B-block, B-block A-block, ...) so that the
 * shared machine's load drifts over every variant alike. Blocks, not single connections: node-redis
 * slows down by tens of milliseconds when clients of two configurations alternate connection by
 * connection (seen with two plain node-redis clients, Rotor not involved), and the first connection
 * after a switch is dropped for the same reason.
 */
async function timeInterleaved(
  n: number,
  variants: readonly (() => Promise<() => Promise<void>>)[],
): Promise<number[][]> {
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < WARMUP; i++) for (const variant of variants) await timeConnect(variant);
  for (let round = 0; times.some((list) => list.length < n); round++) {
    const order = variants.map((_, v) => (round % 2 === 0 ? v : variants.length - 1 - v));
    for (const v of order) {
      for (let i = 0; i < BLOCK && times[v]!.length < n; i++) {
        const elapsed = await timeConnect(variants[v]!);
        if (i > 0) times[v]!.push(elapsed);
      }
    }
  }
  return times;
}

export async function measureReconnectCost(
  connectionsPerVariant: number,
  log: (line: string) => void,
): Promise<ReconnectCost[]> {
  const [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  const aws = await startLocalAws({});
  const sm = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  const redisAdmin = new Redis({
    host: redis.host,
    port: redis.port,
    password: redis.password,
    lazyConnect: true,
  });
  const pgAdmin = new pg.Client({ connectionString: postgres.connectionString() });
  try {
    await Promise.all([redisAdmin.connect(), pgAdmin.connect()]);
    const current = `Cur-${randomBytes(12).toString('hex')}`;
    const pending = `Pen-${randomBytes(12).toString('hex')}`;
    await redisAdmin.call('ACL', 'SETUSER', 'bench', 'reset', 'on', `>${current}`, '~*', '+@all');
    await pgAdmin.query(`CREATE ROLE bench LOGIN PASSWORD '${current}'`);
    const secretFor = (password: string) =>
      JSON.stringify({
        username: 'bench',
        password,
        host: postgres.host,
        port: postgres.port,
        dbname: 'postgres',
      });
    await sm.send(new CreateSecretCommand({ Name: 'bench/reconnect', SecretString: secretFor(current) }));
    const clientConfig = { client: sm, logger: silentLogger };
    const recovery = { logger: silentLogger };

    const drivers: Driver[] = [
      {
        name: 'ioredis',
        async staticConnect(password) {
          const client = new Redis({
            host: redis.host,
            port: redis.port,
            username: 'bench',
            password,
            lazyConnect: true,
          });
          await client.connect();
          return async () => client.disconnect();
        },
        async rotorConnect(cache, secretId) {
          const client = createRotatingRedis({
            secretId,
            cache,
            recovery,
            logger: silentLogger,
            redis: { host: redis.host, port: redis.port, lazyConnect: true },
          });
          await client.connect();
          return async () => client.disconnect();
        },
      },
      {
        name: 'node-redis',
        async staticConnect(password) {
          const client = createClient({
            socket: { host: redis.host, port: redis.port },
            username: 'bench',
            password,
          });
          await client.connect();
          return async () => client.destroy();
        },
        async rotorConnect(cache, secretId) {
          const client = createRotatingRedisClient({
            secretId,
            cache,
            recovery,
            logger: silentLogger,
            client: { socket: { host: redis.host, port: redis.port } },
          });
          await client.connect();
          return async () => client.destroy();
        },
      },
      {
        name: 'pg',
        async staticConnect(password) {
          const client = new pg.Client({
            host: postgres.host,
            port: postgres.port,
            user: 'bench',
            password,
            database: 'postgres',
          });
          await client.connect();
          return () => client.end();
        },
        async rotorConnect(cache, secretId) {
          const client = await connectPg({ secretId, cache, recovery, logger: silentLogger });
          return () => client.end();
        },
      },
    ];

    const results: ReconnectCost[] = [];
    const steady = createSecretCache(clientConfig);
    await steady.getCurrent('bench/reconnect');
    const staticTimes = new Map<string, number[]>();
    const rotorTimes = new Map<string, number[]>();
    for (const driver of drivers) {
      log(
        `${driver.name}: ${connectionsPerVariant} connections static and through @rotor/client, interleaved`,
      );
      const [alone = [], rotor = []] = await timeInterleaved(connectionsPerVariant, [
        () => driver.staticConnect(current),
        () => driver.rotorConnect(steady, 'bench/reconnect'),
      ]);
      staticTimes.set(driver.name, alone);
      rotorTimes.set(driver.name, rotor);
    }

    // The single-user gap: the servers take only the pending password, AWSCURRENT still holds the old one.
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'bench/reconnect',
        SecretString: secretFor(pending),
        VersionStages: ['AWSPENDING'],
      }),
    );
    await redisAdmin.call('ACL', 'SETUSER', 'bench', 'reset', 'on', `>${pending}`, '~*', '+@all');
    await pgAdmin.query(`ALTER ROLE bench PASSWORD '${pending}'`);
    for (const driver of drivers) {
      log(
        `${driver.name}: ${connectionsPerVariant} connections inside the single-user gap (fresh cache each)`,
      );
      const [gap = []] = await timeInterleaved(connectionsPerVariant, [
        async () => {
          const cache = createSecretCache(clientConfig);
          await cache.getCurrent('bench/reconnect');
          return driver.rotorConnect(cache, 'bench/reconnect');
        },
      ]);
      const staticSummary = summarize(staticTimes.get(driver.name) ?? []);
      const rotorSummary = summarize(rotorTimes.get(driver.name) ?? []);
      results.push({
        driver: driver.name,
        staticMs: staticSummary,
        rotorMs: rotorSummary,
        gapMs: summarize(gap),
        addedP50Ms: (rotorSummary.p50 ?? 0) - (staticSummary.p50 ?? 0),
      });
    }
    return results;
  } finally {
    redisAdmin.disconnect();
    await pgAdmin.end().catch(() => {});
    sm.destroy();
    await aws.stop();
    await Promise.all([redis.stop(), postgres.stop()]);
  }
}
