/**
 * @rotor/client/redis (node-redis 6) against real servers (harness): a client on a redis-server and a
 * cluster client on a Redis Cluster, through single-user rotations applied by hand (AWSPENDING written,
 * the password replaced node by node, the user's connections killed, AWSPENDING promoted) under
 * continuous load; static-password node-redis clients beside them record their failures. And bad
 * configuration: one clear error, no reconnect loop.
 */
import { randomBytes } from 'node:crypto';
import { createSecretCache } from '@rotor/client';
import { createRotatingRedisClient, createRotatingRedisCluster } from '@rotor/client/redis';
import { silentLogger } from '@rotor/core';
import { InvalidConfigurationError, InvalidSecretError } from '@rotor/core/errors';
import {
  type RedisClusterHandle,
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
} from '@rotor/local-aws/harness';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate } from './support/gate.ts';
import { aclRules, elastiCacheSecret, newRedisPassword } from './support/redis.ts';
import { startWorkers, type WorkerTally } from './support/workers.ts';

let server: RedisServerHandle;
let cluster: RedisClusterHandle;
const newPassword = newRedisPassword;
const rules = aclRules;
const recovery = { logger: silentLogger, baseDelayMs: 10, maxDelayMs: 100, budgetMs: 5_000 };
/** Static-password clients give up after a few reconnects, so their failures show instead of hanging. */
const fewRetries = (retries: number) => (retries > 5 ? false : 50);

interface Commands {
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

let writes = 0;

/** SET then GET of a new key (expiring) in the slot of one of `slotKeys`, so workers never share a key. */
function setAndGet(client: Commands, slotKeys: readonly string[], gate: Gate): () => Promise<void> {
  let turn = 0;
  return () =>
    gate.run(async () => {
      const key = `{${slotKeys[turn++ % slotKeys.length]}}:${writes++}`;
      const value = randomBytes(4).toString('hex');
      await client.set(key, value, { expiration: { type: 'PX', value: 30_000 } });
      const read = await client.get(key);
      if (read !== value) throw new Error(`read ${String(read)} after writing ${value}`);
    });
}

/** Single-user rotations: each replaces the password node by node, then kills the user's connections. */
async function rotateSingleUser(
  sm: MockSecretsManager,
  secretId: string,
  user: string,
  apply: (password: string) => Promise<void>,
  kill: () => Promise<void>,
  rotations: number,
  gate: Gate,
): Promise<void> {
  for (let i = 0; i < rotations; i++) {
    const next = newPassword();
    const versionId = sm.putPending(secretId, elastiCacheSecret(user, next));
    await apply(next);
    await gate.between(kill);
    await new Promise((resolve) => setTimeout(resolve, 150));
    sm.promote(secretId, versionId);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const summary: string[] = [];
const describeTally = (tally: WorkerTally) =>
  `${tally.failures} failed / ${tally.attempts}${tally.failures ? ` ${JSON.stringify(tally.errors)}` : ''}`;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
});

afterAll(async () => {
  console.info(`node-redis through single-user rotations:\n${summary.join('\n')}`);
  await Promise.all([server?.stop(), cluster?.stop()]);
});

describe('negative control', () => {
  it('node-redis with a wrong password is refused by the server and by every cluster node', async () => {
    await cluster.setUser('neg', rules('Right-password-1'));
    const admin = createClient({
      socket: { host: server.host, port: server.port },
      password: server.password,
    });
    await admin.connect();
    await admin.sendCommand(['ACL', 'SETUSER', 'neg', ...rules('Right-password-1')]);
    await admin.quit();
    const targets = [{ host: server.host, port: server.port }, ...cluster.nodes];
    for (const { host, port } of targets) {
      const client = createClient({
        socket: { host, port, reconnectStrategy: false },
        username: 'neg',
        password: 'Wrong-password-1',
      });
      client.on('error', () => {});
      await expect(client.connect()).rejects.toThrow(/WRONGPASS/);
      const right = createClient({
        socket: { host, port, reconnectStrategy: false },
        username: 'neg',
        password: 'Right-password-1',
      });
      await right.connect();
      expect(await right.ping()).toBe('PONG');
      await right.quit();
    }
  });
});

describe('createRotatingRedisClient', () => {
  it('single-user rotations with connections killed: zero failed commands; a static-password client fails', {
    timeout: 60_000,
  }, async () => {
    const admin = createClient({
      socket: { host: server.host, port: server.port },
      password: server.password,
    });
    await admin.connect();
    const first = newPassword();
    await admin.sendCommand(['ACL', 'SETUSER', 'nr-solo', 'reset', ...rules(first)]);
    const sm = new MockSecretsManager();
    sm.createSecret('nr-solo', elastiCacheSecret('nr-solo', first));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const rotating = createRotatingRedisClient({
      secretId: 'nr-solo',
      cache,
      recovery,
      client: { socket: { host: server.host, port: server.port } },
    });
    const stale = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: fewRetries },
      username: 'nr-solo',
      password: first,
    });
    rotating.on('error', () => {});
    stale.on('error', () => {});
    await Promise.all([rotating.connect(), stale.connect()]);
    let reconnects = 0;
    rotating.on('reconnecting', () => reconnects++);
    const gate = new Gate();
    const rotatingWorkers = startWorkers(2, setAndGet(rotating, ['a', 'b'], gate), 5);
    const staleWorkers = startWorkers(1, setAndGet(stale, ['c'], gate), 5);
    try {
      await rotateSingleUser(
        sm,
        'nr-solo',
        'nr-solo',
        async (password) => {
          await admin.sendCommand(['ACL', 'SETUSER', 'nr-solo', 'reset', ...rules(password)]);
        },
        async () => {
          await admin.sendCommand(['CLIENT', 'KILL', 'USER', 'nr-solo']);
        },
        5,
        gate,
      );
    } finally {
      const rotatingTally = await rotatingWorkers.stop();
      const staleTally = await staleWorkers.stop();
      summary.push(
        `  client:  createRotatingRedisClient ${describeTally(rotatingTally)} (${reconnects} reconnects)   static password ${describeTally(staleTally)}`,
      );
      expect(reconnects).toBeGreaterThanOrEqual(5);
      expect(await rotating.sendCommand(['ACL', 'WHOAMI'])).toBe('nr-solo');
      rotating.destroy();
      stale.destroy();
      await admin.quit();
      expect(rotatingTally.failures).toBe(0);
      expect(rotatingTally.attempts).toBeGreaterThan(20);
      expect(staleTally.failures).toBeGreaterThan(0);
    }
  });

  it('a secret that is not JSON rejects connect() with InvalidSecretError and stops', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('nr-broken', '{"username": "app", "password": ');
    const client = createRotatingRedisClient({
      secretId: 'nr-broken',
      cache: createSecretCache({ client: sm.client, logger: silentLogger }),
      recovery,
      client: { socket: { host: server.host, port: server.port } },
    });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const failure = await client.connect().catch((error: unknown) => error);
    expect(String(failure)).toMatch(/nr-broken .* is not valid JSON/);
    expect(errors[0]).toBeInstanceOf(InvalidSecretError);
    const reads = sm.calls('GetSecretValue');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sm.calls('GetSecretValue')).toBe(reads);
    expect(client.isOpen).toBe(false);
  });

  it('no AWS region rejects connect() with InvalidConfigurationError that says what to set', async () => {
    const saved = { region: process.env['AWS_REGION'], config: process.env['AWS_CONFIG_FILE'] };
    delete process.env['AWS_REGION'];
    process.env['AWS_CONFIG_FILE'] = '/nonexistent/rotor-test-aws-config';
    try {
      const client = createRotatingRedisClient({
        secretId: 'anything',
        secretsManager: {
          endpoint: 'http://127.0.0.1:9',
          logger: silentLogger,
        },
        recovery,
        client: { socket: { host: server.host, port: server.port } },
      });
      const errors: unknown[] = [];
      client.on('error', (error) => errors.push(error));
      await expect(client.connect()).rejects.toThrow();
      expect(errors[0]).toBeInstanceOf(InvalidConfigurationError);
      expect(String((errors[0] as Error).message)).toMatch(/no AWS region .* set AWS_REGION/);
    } finally {
      if (saved.region === undefined) delete process.env['AWS_REGION'];
      else process.env['AWS_REGION'] = saved.region;
      if (saved.config === undefined) delete process.env['AWS_CONFIG_FILE'];
      else process.env['AWS_CONFIG_FILE'] = saved.config;
    }
  });

  it('refuses options that carry credentials, at construction', () => {
    expect(() => createRotatingRedisClient({ secretId: 's', client: { password: 'x' } as never })).toThrow(
      /remove password/,
    );
    expect(() => createRotatingRedisCluster({ secretId: 's', nodes: [] })).toThrow(InvalidConfigurationError);
  });
});

describe('createRotatingRedisCluster', () => {
  it('single-user rotations node by node, connections killed: zero failed commands; a static-password cluster fails', {
    timeout: 60_000,
  }, async () => {
    const first = newPassword();
    await cluster.setUser('nrc-solo', rules(first));
    const sm = new MockSecretsManager();
    sm.createSecret('nrc-solo', elastiCacheSecret('nrc-solo', first));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const rotating = createRotatingRedisCluster({
      secretId: 'nrc-solo',
      cache,
      recovery,
      nodes: cluster.nodes,
    });
    const stale = createCluster({
      rootNodes: cluster.nodes.map(({ host, port }) => ({ socket: { host, port } })),
      defaults: { username: 'nrc-solo', password: first, socket: { reconnectStrategy: fewRetries } },
    });
    rotating.on('error', () => {});
    stale.on('error', () => {});
    await Promise.all([rotating.connect(), stale.connect()]);
    const keys = Array.from({ length: 24 }, (_, i) => `nr-load-${i}`);
    const gate = new Gate();
    const rotatingWorkers = startWorkers(2, setAndGet(rotating, keys, gate), 5);
    const staleWorkers = startWorkers(1, setAndGet(stale, keys, gate), 5);
    try {
      await rotateSingleUser(
        sm,
        'nrc-solo',
        'nrc-solo',
        (password) => cluster.setUser('nrc-solo', rules(password), { nodeDelayMs: 150 }),
        () => cluster.killUserClients('nrc-solo'),
        4,
        gate,
      );
    } finally {
      const rotatingTally = await rotatingWorkers.stop();
      const staleTally = await staleWorkers.stop();
      summary.push(
        `  cluster: createRotatingRedisCluster ${describeTally(rotatingTally)}   static password ${describeTally(staleTally)}`,
      );
      rotating.destroy();
      stale.destroy();
      expect(rotatingTally.failures).toBe(0);
      expect(rotatingTally.attempts).toBeGreaterThan(20);
      expect(staleTally.failures).toBeGreaterThan(0);
    }
  });
});
