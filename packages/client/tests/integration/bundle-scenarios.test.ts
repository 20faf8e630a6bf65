/**
 * The issue's full scenario: the REAL rotation bundles (apps/elasticache-rotation, apps/redshift-rotation)
 * registered in the local AWS endpoint, RotateSecret through the SDK, 20 consecutive rotations per
 * strategy against real redis-server and PostgreSQL (harness), while workers open a fresh connection for
 * every attempt. Workers through @rotor/client must record zero failures; a naive client that reads
 * AWSCURRENT (over the endpoint) once per attempt records its failures, which are printed, not hidden.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createSecretCache, type SecretCache } from '@rotor/client';
import { connectRedis } from '@rotor/client/ioredis';
import { connect, createRotatingPool, type RotatingPool } from '@rotor/client/pg';
import { type RotorLogger, silentLogger } from '@rotor/core';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import {
  type CacheServers,
  type PostgresServerHandle,
  startCacheServers,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBundles } from './support/bundles.ts';
import { createElastiCacheUserSecret, createUsersInGroup } from './support/elasticache-user.ts';
import { asSuperuser, md5PasswordHash } from './support/postgres.ts';
import { percentile, startWorkers, type WorkerTally } from './support/workers.ts';

const ROTATIONS = 20;
/** Per scenario: one worker through @rotor/client, one naive; the five scenarios run at the same time. */
const WORKERS = 1;
const SCENARIO_TIMEOUT_MS = 180_000;
const bundleCopies = copyBundles(['elasticache-rotation', 'redshift-rotation']);
const bundles = {
  elasticache: bundleCopies.entry('elasticache-rotation'),
  redshift: bundleCopies.entry('redshift-rotation'),
};

/** One TLS cache; its user group holds every scenario's users (ElastiCache users log in only through one). */
let caches: CacheServers;
let redisEndpoint: { host: string; port: number; tls: { ca: string } };
const EC_STRATEGIES = ['dual-password', 'single-user', 'alternating-users'] as const;
const firstPasswords = {} as Record<(typeof EC_STRATEGIES)[number], string>;
let postgres: PostgresServerHandle;
let aws: LocalAws;
let sm: SecretsManagerClient;
let elasticache: ElastiCacheClient;
let cache: SecretCache;
const functionArns: Record<string, string> = {};
const results: Record<
  string,
  { rotating: WorkerTally; naive: WorkerTally; pooled?: WorkerTally; recovered: number; seconds: number }
> = {};

const newPassword = () => `Init-${randomBytes(12).toString('hex')}-A1`;
const md5Hash = md5PasswordHash;
const pgAdmin = (sql: string) => asSuperuser(postgres, sql);

const windows = (tally: WorkerTally) =>
  tally.windows.length === 0
    ? ''
    : `   naive failure windows: ${tally.windows.length}, p50 ${percentile(tally.windows, 50).toFixed(0)} ms, max ${percentile(tally.windows, 100).toFixed(0)} ms`;
const latency = (tally: WorkerTally) =>
  [50, 95, 100].map((p) => percentile(tally.durations, p).toFixed(0)).join(' / ');

/** Every password the naive workers and the tests read: none may appear in the client's log lines. */
const passwordsSeen = new Set<string>();
const clientLogLines: string[] = [];

async function readCurrent(secretId: string): Promise<Record<string, unknown>> {
  const output = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = JSON.parse(output.SecretString!) as Record<string, unknown>;
  passwordsSeen.add(String(value['password']));
  return value;
}

/** Keeps the client's log lines and counts its "was refused" lines (logins refused, then recovered). */
function refusalCounter(): RotorLogger & { refused: number } {
  const keep = (message: string, ...extra: unknown[]) => {
    clientLogLines.push(`${message} ${JSON.stringify(extra)}`);
  };
  const logger = {
    refused: 0,
    debug: keep,
    info(message: string, ...extra: unknown[]) {
      keep(message, ...extra);
      if (message.includes('was refused')) logger.refused++;
    },
    warn: keep,
    error: keep,
  };
  return logger;
}

async function rotateRepeatedly(secretId: string, functionArn: string): Promise<void> {
  for (let i = 0; i < ROTATIONS; i++) {
    await sm.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ...(i === 0 ? { RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } } : {}),
      }),
    );
    const record = await aws.waitForRotation(secretId, { timeoutMs: 60_000 });
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
  }
}

async function runScenario(
  name: string,
  secretId: string,
  functionArn: string,
  attempts: {
    rotating: (logger: RotorLogger) => Promise<void>;
    naive: () => Promise<void>;
    /** A long-lived pool whose connections come and go (tiny idle timeout), queried in a loop. */
    pooled?: (logger: RotorLogger) => Promise<void>;
  },
) {
  const logger = refusalCounter();
  const rotatingWorkers = startWorkers(WORKERS, () => attempts.rotating(logger), 10);
  const naiveWorkers = startWorkers(WORKERS, attempts.naive, 10);
  const pooled = attempts.pooled;
  const pooledWorkers = pooled ? startWorkers(1, () => pooled(logger), 10) : undefined;
  const started = Date.now();
  try {
    await rotateRepeatedly(secretId, functionArn);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    const rotating = await rotatingWorkers.stop();
    const naive = await naiveWorkers.stop();
    const pool = await pooledWorkers?.stop();
    results[name] = {
      rotating,
      naive,
      ...(pool ? { pooled: pool } : {}),
      recovered: logger.refused,
      seconds: (Date.now() - started) / 1000,
    };
  }
  return results[name]!;
}

beforeAll(async () => {
  [caches, postgres] = await Promise.all([
    startCacheServers({ replicationGroups: ['scenarios'] }),
    startPostgresServer({ authMethod: 'md5' }),
  ]);
  redisEndpoint = { host: '127.0.0.1', port: caches.server('scenarios').port, tls: { ca: caches.ca } };
  aws = await startLocalAws({
    elasticache: { caches: caches.caches, modifyingDelayMs: 20 },
    rotation: { maxAttempts: 1, retryDelayMs: 50 },
  });
  const cacheEnvironment = {
    // The function finds the cache through the control plane and verifies it with the test certificate.
    ROTOR_CACHE_CA_FILE: caches.caFile,
    WAITING_RETRY_INTERVAL_IN_SECONDS: '0.05',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  for (const strategy of EC_STRATEGIES) {
    functionArns[`elasticache ${strategy}`] = aws.registerFunction({
      functionName: `rotor-elasticache-${strategy}`,
      bundlePath: bundles.elasticache,
      handler: 'index.handler',
      timeoutSeconds: 60,
      environment: { ...cacheEnvironment, ROTOR_STRATEGY: strategy },
    }).functionArn;
  }
  functionArns['redshift'] = aws.registerFunction({
    functionName: 'rotor-redshift',
    bundlePath: bundles.redshift,
    handler: 'index.handler',
    timeoutSeconds: 60,
    environment: {
      // The one server the function may connect to (a secret's host alone is never trusted).
      ROTOR_REDSHIFT_ALLOWED_HOSTS: `${postgres.host}:${postgres.port}`,
      ROTOR_REDSHIFT_TLS: 'disable',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  }).functionArn;
  const clientConfig = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
  sm = new SecretsManagerClient(clientConfig);
  elasticache = new ElastiCacheClient(clientConfig);
  // Every scenario's user, in the cache's user group before the scenarios run side by side.
  for (const strategy of EC_STRATEGIES) firstPasswords[strategy] = newPassword();
  await createUsersInGroup(
    { elasticache, aws },
    {
      replicationGroupId: 'scenarios',
      userGroupId: 'scenario-users',
      users: EC_STRATEGIES.map((strategy) => ({
        userId: `ec-${strategy}`,
        password: firstPasswords[strategy],
      })),
    },
  );
  // One cache for all rotating workers, as one application process would have.
  cache = createSecretCache({ client: new SecretsManagerClient(clientConfig), logger: silentLogger });
});

afterAll(async () => {
  const leaked = [...passwordsSeen].filter((password) =>
    clientLogLines.some((line) => line.includes(password)),
  );
  console.info(
    `@rotor/client log lines: ${clientLogLines.length}, passwords checked: ${passwordsSeen.size}, leaked: ${leaked.length}`,
  );
  expect(clientLogLines.length).toBeGreaterThan(0);
  expect(passwordsSeen.size).toBeGreaterThan(20);
  expect(leaked).toEqual([]);
  console.info(
    `Bundle scenarios (built Lambda bundles via local AWS RotateSecret, ${ROTATIONS} rotations each, scenarios concurrent, ${WORKERS}+${WORKERS} workers each, fresh connection per attempt):\n${Object.entries(
      results,
    )
      .map(
        ([name, r]) =>
          `  ${name.padEnd(32)} ${r.seconds.toFixed(1)} s  @rotor/client: ${r.rotating.failures} failed / ${r.rotating.attempts} (${r.recovered} refused logins recovered)${r.pooled ? `, RotatingPool.query: ${r.pooled.failures} failed / ${r.pooled.attempts}` : ''}   naive: ${r.naive.failures} failed / ${r.naive.attempts} ${JSON.stringify(r.naive.errors)}`,
      )
      .join('\n')}\n  successful attempt time, p50 / p95 / max ms (@rotor/client vs naive):\n${Object.entries(
      results,
    )
      .map(
        ([name, r]) =>
          `  ${name.padEnd(32)} ${latency(r.rotating)}   vs   ${latency(r.naive)}${windows(r.naive)}`,
      )
      .join('\n')}`,
  );
  elasticache?.destroy();
  sm?.destroy();
  await aws?.stop();
  await Promise.all([caches?.stop(), postgres?.stop()]);
  rmSync(bundleCopies.dir, { recursive: true, force: true });
});

describe.concurrent('ElastiCache bundle (users in the user group of a real TLS redis-server)', () => {
  for (const strategy of EC_STRATEGIES) {
    it(`${strategy}: 20 rotations, zero failed logins through @rotor/client`, {
      timeout: SCENARIO_TIMEOUT_MS,
    }, async () => {
      const userId = `ec-${strategy}`;
      const password = firstPasswords[strategy];
      const secretId = `cache/${strategy}`;
      await createElastiCacheUserSecret({ sm, aws }, { userId, password, secretId });
      const endpoint = redisEndpoint;
      const result = await runScenario(
        `elasticache ${strategy}`,
        secretId,
        functionArns[`elasticache ${strategy}`]!,
        {
          async rotating(logger) {
            const client = await connectRedis({
              secretId,
              cache,
              logger,
              recovery: { baseDelayMs: 20, maxDelayMs: 200 },
              redis: endpoint,
            });
            client.on('error', () => {});
            try {
              await client.ping();
            } finally {
              client.disconnect();
            }
          },
          async naive() {
            const secret = await readCurrent(secretId);
            const client = new Redis({
              ...endpoint,
              username: String(secret['username']),
              password: String(secret['password']),
              lazyConnect: true,
              retryStrategy: () => null,
            });
            let refusal: Error | undefined;
            client.on('error', (error: Error) => {
              refusal = error;
            });
            try {
              await client.connect();
              await client.ping();
            } catch (error) {
              throw refusal ?? error;
            } finally {
              client.disconnect();
            }
          },
        },
      );
      expect(result.rotating.failures).toBe(0);
      expect(result.rotating.attempts).toBeGreaterThan(ROTATIONS);
      if (strategy === 'single-user') {
        // ModifyUser with the pending password only: the gap is real, and the naive client hits it.
        expect(result.naive.failures).toBeGreaterThan(0);
        expect(Object.keys(result.naive.errors).every((e) => e.startsWith('WRONGPASS'))).toBe(true);
      }
      const current = await readCurrent(secretId);
      expect(current['password']).not.toBe(password);
      // Negative control: the first password is refused by the server after 20 rotations.
      const stale = new Redis({
        ...endpoint,
        username: userId,
        password,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      const staleErrors: string[] = [];
      stale.on('error', (error: Error) => staleErrors.push(error.message));
      await expect(stale.connect()).rejects.toThrow();
      expect(staleErrors[0]).toMatch(/^WRONGPASS/);
      stale.disconnect();
    });
  }
});

describe.concurrent('Redshift bundle (pg transport, PostgreSQL with md5 standing in for Redshift)', () => {
  const secretValue = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      engine: 'redshift',
      host: postgres.host,
      port: String(postgres.port),
      username,
      password,
      dbname: 'postgres',
      dbClusterIdentifier: 'analytics',
      ...extra,
    });

  const pools: RotatingPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  const pgAttempts = (secretId: string) => {
    let pool: RotatingPool | undefined;
    return {
      async pooled(logger: RotorLogger) {
        if (!pool) {
          pool = createRotatingPool({
            secretId,
            cache,
            logger,
            recovery: { baseDelayMs: 20, maxDelayMs: 200 },
            // Connections close almost at once, so most queries open a new one mid-rotation.
            pool: { max: 2, idleTimeoutMillis: 1, maxLifetimeSeconds: 1 },
          });
          pools.push(pool);
        }
        await pool.query('SELECT 1');
      },
      async rotating(logger: RotorLogger) {
        const client = await connect({
          secretId,
          cache,
          logger,
          recovery: { baseDelayMs: 20, maxDelayMs: 200 },
        });
        try {
          await client.query('SELECT 1');
        } finally {
          await client.end();
        }
      },
      async naive() {
        const secret = await readCurrent(secretId);
        const client = new pg.Client({
          host: String(secret['host']),
          port: Number(secret['port']),
          user: String(secret['username']),
          password: String(secret['password']),
          database: String(secret['dbname']),
        });
        await client.connect();
        try {
          await client.query('SELECT 1');
        } finally {
          await client.end();
        }
      },
    };
  };

  it('single-user (the hard case): 20 rotations, zero failed logins through @rotor/client', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    const password = newPassword();
    await pgAdmin(`CREATE USER rs_solo PASSWORD '${md5Hash(password, 'rs_solo')}'`);
    await sm.send(
      new CreateSecretCommand({ Name: 'redshift/solo', SecretString: secretValue('rs_solo', password) }),
    );
    const result = await runScenario(
      'redshift single-user',
      'redshift/solo',
      functionArns['redshift']!,
      pgAttempts('redshift/solo'),
    );
    expect(result.rotating.failures).toBe(0);
    expect(result.rotating.attempts).toBeGreaterThan(ROTATIONS);
    expect(result.pooled?.failures).toBe(0);
    expect(result.pooled?.attempts).toBeGreaterThan(ROTATIONS);
    expect(result.recovered).toBeGreaterThan(0);
    expect(result.naive.failures).toBeGreaterThan(0);
    expect(Object.keys(result.naive.errors).every((e) => e.startsWith('28P01'))).toBe(true);
    const stale = new pg.Client({
      connectionString: postgres.connectionString({ user: 'rs_solo', password }),
    });
    await expect(stale.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it('alternating users: 20 rotations, zero failed logins through @rotor/client', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    const password = newPassword();
    await pgAdmin(`CREATE USER rs_alt PASSWORD '${md5Hash(password, 'rs_alt')}'`);
    const admin = await sm.send(
      new CreateSecretCommand({
        Name: 'redshift/admin',
        SecretString: secretValue(postgres.user, postgres.password),
      }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: 'redshift/alt',
        SecretString: secretValue('rs_alt', password, { masterarn: admin.ARN }),
      }),
    );
    const result = await runScenario(
      'redshift alternating-users',
      'redshift/alt',
      functionArns['redshift']!,
      pgAttempts('redshift/alt'),
    );
    expect(result.rotating.failures).toBe(0);
    expect(result.rotating.attempts).toBeGreaterThan(ROTATIONS);
    expect(result.pooled?.failures).toBe(0);
    expect((await readCurrent('redshift/alt'))['username']).toBe('rs_alt');
  });
});
