/**
 * The issue's scenario, in process: 20 consecutive rotations per strategy driven through @rotor/core's
 * protocol (the real Redshift engine over pg for PostgreSQL; a minimal Redis ACL engine standing in for
 * ElastiCache's control plane), against real servers from the harness, while workers open a fresh
 * connection for every attempt. Workers through @rotor/client must record zero failures; a naive client
 * that reads AWSCURRENT once per attempt records its failures, which are reported, not hidden.
 * (The same scenario with the built Lambda bundles behind the local AWS endpoint is in bundle-scenarios.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  createRotationStepRunner,
  createSecretsManagerStore,
  type RotorLogger,
  silentLogger,
} from '@rotor/core';
import type { RotationEngine } from '@rotor/core/engine';
import { redshiftEngine } from '@rotor/engine-redshift';
import {
  type PostgresServerHandle,
  type RedisServerHandle,
  startPostgresServer,
  startRedisServer,
} from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretCache } from '../../src/index.ts';
import { connectRedis } from '../../src/ioredis/index.ts';
import { connect } from '../../src/pg/index.ts';
import { FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { redisAclEngine } from './support/redis-acl-engine.ts';
import { startWorkers, type WorkerTally } from './support/workers.ts';

const ROTATIONS = 20;
/** Secrets Manager invokes each step separately; this stands for the time between invocations. */
const STEP_PAUSE_MS = 40;
const WORKERS = 2;
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

let postgres: PostgresServerHandle;
let redis: RedisServerHandle;
const results: Record<string, { rotating: WorkerTally; naive: WorkerTally; recoveredLogins: number }> = {};

const md5Hash = (password: string, user: string) =>
  `md5${createHash('md5')
    .update(password + user)
    .digest('hex')}`;
const initialPassword = () => `Init${randomUUID().replaceAll('-', '')}A1`;

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgres.connectionString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Counts the recovery loop's "was refused" lines: logins that failed and were then recovered. */
function refusalCounter(): RotorLogger & { refused: number } {
  const logger = {
    refused: 0,
    debug() {},
    info(message: string) {
      if (message.includes('was refused')) logger.refused++;
    },
    warn() {},
    error() {},
  };
  return logger;
}

async function readCurrent(sm: FakeSecretsManager, secretId: string): Promise<Record<string, unknown>> {
  const output = await sm.client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return JSON.parse(output.SecretString!) as Record<string, unknown>;
}

async function rotateRepeatedly(
  sm: FakeSecretsManager,
  secretId: string,
  engine: RotationEngine<never>,
  strategy: 'single-user' | 'dual-password' | 'alternating-users',
): Promise<void> {
  const run = createRotationStepRunner({
    engine,
    strategy,
    store: createSecretsManagerStore({ client: sm.client }),
    logger: silentLogger,
  });
  const arn = sm.arnOf(secretId);
  for (let i = 0; i < ROTATIONS; i++) {
    const token = sm.startRotation(arn);
    for (const Step of STEPS) {
      await run({ Step, SecretId: arn, ClientRequestToken: token });
      await new Promise((resolve) => setTimeout(resolve, STEP_PAUSE_MS));
    }
  }
}

interface Scenario {
  sm: FakeSecretsManager;
  secretId: string;
  rotating: () => Promise<void>;
  naive: () => Promise<void>;
  logger: ReturnType<typeof refusalCounter>;
}

async function runScenario(
  name: string,
  scenario: Scenario,
  engine: RotationEngine<never>,
  strategy: 'single-user' | 'dual-password' | 'alternating-users',
) {
  const rotatingWorkers = startWorkers(WORKERS, scenario.rotating);
  const naiveWorkers = startWorkers(WORKERS, scenario.naive);
  try {
    await rotateRepeatedly(scenario.sm, scenario.secretId, engine, strategy);
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const rotating = await rotatingWorkers.stop();
  const naive = await naiveWorkers.stop();
  results[name] = { rotating, naive, recoveredLogins: scenario.logger.refused };
  return { rotating, naive };
}

function pgScenario(sm: FakeSecretsManager, secretId: string): Scenario {
  const logger = refusalCounter();
  const cache = createSecretCache({ client: sm.client, logger: silentLogger });
  return {
    sm,
    secretId,
    logger,
    async rotating() {
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
      const secret = await readCurrent(sm, secretId);
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
}

function redisScenario(sm: FakeSecretsManager, secretId: string): Scenario {
  const logger = refusalCounter();
  const cache = createSecretCache({ client: sm.client, logger: silentLogger });
  return {
    sm,
    secretId,
    logger,
    async rotating() {
      const client = await connectRedis({
        secretId,
        cache,
        logger,
        recovery: { baseDelayMs: 20, maxDelayMs: 200 },
        redis: { host: redis.host, port: redis.port },
      });
      client.on('error', () => {});
      try {
        await client.ping();
      } finally {
        client.disconnect();
      }
    },
    async naive() {
      const secret = await readCurrent(sm, secretId);
      const client = new Redis({
        host: redis.host,
        port: redis.port,
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
  };
}

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
});

afterAll(async () => {
  console.info(
    `Rotation scenarios (in process, ${ROTATIONS} rotations each, ${WORKERS}+${WORKERS} workers, fresh connection per attempt):\n${Object.entries(
      results,
    )
      .map(
        ([name, r]) =>
          `  ${name.padEnd(34)} @rotor/client: ${r.rotating.failures} failed / ${r.rotating.attempts} (${r.recoveredLogins} refused logins recovered)   naive: ${r.naive.failures} failed / ${r.naive.attempts} ${JSON.stringify(r.naive.errors)}`,
      )
      .join('\n')}`,
  );
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

describe('PostgreSQL (Redshift engine over pg, md5)', () => {
  const engine = () =>
    redshiftEngine({
      pg: { tls: 'disable', connectTimeoutMs: 3_000 },
      dialect: 'postgresql',
    }) as RotationEngine<never>;
  const secretFor = (username: string, password: string, extra: Record<string, unknown> = {}) => ({
    engine: 'redshift',
    host: postgres.host,
    port: String(postgres.port),
    username,
    password,
    dbname: 'postgres',
    ...extra,
  });

  it('single-user (the hard case): zero failed logins through @rotor/client across 20 rotations', async () => {
    const password = initialPassword();
    await pgAdmin(`CREATE USER solo PASSWORD '${md5Hash(password, 'solo')}'`);
    const sm = new FakeSecretsManager();
    sm.create('pg-solo', secretFor('solo', password));
    const { rotating, naive } = await runScenario(
      'postgres single-user',
      pgScenario(sm, 'pg-solo'),
      engine(),
      'single-user',
    );
    expect(rotating.failures).toBe(0);
    expect(rotating.attempts).toBeGreaterThan(20);
    expect(results['postgres single-user']!.recoveredLogins).toBeGreaterThan(0);
    // The gap is real: the naive client, following AWSCURRENT, hits it.
    expect(naive.failures).toBeGreaterThan(0);
    expect(Object.keys(naive.errors).every((e) => e.startsWith('28P01'))).toBe(true);
    // Negative control: after 20 rotations the first password is refused, the current one works.
    const current = await readCurrent(sm, 'pg-solo');
    expect(current['password']).not.toBe(password);
    const stale = new pg.Client({ connectionString: postgres.connectionString({ user: 'solo', password }) });
    await expect(stale.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it('alternating users: zero failed logins through @rotor/client across 20 rotations', async () => {
    const password = initialPassword();
    await pgAdmin(`CREATE USER alt PASSWORD '${md5Hash(password, 'alt')}'`);
    const sm = new FakeSecretsManager();
    sm.create('pg-admin', secretFor(postgres.user, postgres.password));
    sm.create('pg-alt', secretFor('alt', password, { masterarn: sm.arnOf('pg-admin') }));
    const { rotating } = await runScenario(
      'postgres alternating-users',
      pgScenario(sm, 'pg-alt'),
      engine(),
      'alternating-users',
    );
    expect(rotating.failures).toBe(0);
    expect(rotating.attempts).toBeGreaterThan(20);
    const current = await readCurrent(sm, 'pg-alt');
    expect(current['username']).toBe('alt'); // 20 rotations: back to the original user
  });
});

describe('Redis ACL users (ElastiCache-style secret: username, password, user_arn)', () => {
  const engine = () =>
    redisAclEngine({
      host: redis.host,
      port: redis.port,
      adminPassword: redis.password,
    }) as RotationEngine<never>;
  const secretFor = (username: string, password: string) => ({
    username,
    password,
    user_arn: `arn:aws:elasticache:us-east-1:123456789012:user:${username}`,
  });
  const createUser = async (username: string, password: string) => {
    const admin = new Redis({
      host: redis.host,
      port: redis.port,
      password: redis.password,
      lazyConnect: true,
    });
    await admin.connect();
    await admin.call('ACL', 'SETUSER', username, 'on', 'resetpass', `>${password}`, '~*', '+@all');
    admin.disconnect();
  };

  for (const strategy of ['dual-password', 'single-user', 'alternating-users'] as const) {
    it(`${strategy}: zero failed logins through @rotor/client across 20 rotations`, async () => {
      const username = `cache-${strategy}`;
      const password = initialPassword();
      await createUser(username, password);
      const sm = new FakeSecretsManager();
      sm.create(username, secretFor(username, password));
      const { rotating, naive } = await runScenario(
        `redis ${strategy}`,
        redisScenario(sm, username),
        engine(),
        strategy,
      );
      expect(rotating.failures).toBe(0);
      expect(rotating.attempts).toBeGreaterThan(20);
      if (strategy === 'single-user') {
        expect(naive.failures).toBeGreaterThan(0);
        expect(Object.keys(naive.errors).every((e) => e.startsWith('WRONGPASS'))).toBe(true);
      }
    });
  }
});
