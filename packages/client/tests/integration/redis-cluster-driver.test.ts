/**
 * createRotatingCluster on a TLS Redis Cluster (harness: three primaries, `tls-cluster yes`, ACL users on
 * every node) through single-user rotations applied by hand: AWSPENDING written, the password changed
 * node by node with a pause between nodes, the user's connections killed, AWSPENDING promoted. And bad
 * configuration: one clear error, no reconnect loop.
 */

import { createSecretCache } from '@rotor/client';
import { createRotatingCluster } from '@rotor/client/ioredis';
import { silentLogger } from '@rotor/core';
import { InvalidConfigurationError, InvalidSecretError } from '@rotor/core/errors';
import { type RedisClusterHandle, startRedisCluster } from '@rotor/local-aws/harness';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclRules, elastiCacheSecret, newRedisPassword, refusalOf } from './support/redis.ts';
import { startWorkers } from './support/workers.ts';

let cluster: RedisClusterHandle;
const newPassword = newRedisPassword;
const rules = aclRules;
const recovery = { logger: silentLogger, baseDelayMs: 10, maxDelayMs: 100, budgetMs: 5_000 };

beforeAll(async () => {
  cluster = await startRedisCluster({ tls: true });
});

afterAll(async () => {
  await cluster?.stop();
});

const nodes = () => cluster.nodes.map(({ host, port }) => ({ host, port }));
const tls = () => ({ ca: cluster.tls!.ca });

describe('createRotatingCluster over TLS', () => {
  it('single-user rotations applied node by node: zero failed operations, a static-password cluster fails', {
    timeout: 60_000,
  }, async () => {
    let password = newPassword();
    const first = password;
    await cluster.setUser('solo', rules(password));
    const sm = new MockSecretsManager();
    sm.createSecret('solo', elastiCacheSecret('solo', password));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const rotating = createRotatingCluster({
      secretId: 'solo',
      cache,
      recovery,
      nodes: nodes(),
      cluster: { redisOptions: { tls: tls() } },
    });
    const stale = new Cluster(nodes(), {
      redisOptions: { username: 'solo', password, tls: tls() },
      clusterRetryStrategy: (times) => (times > 3 ? null : 50),
    });
    rotating.on('error', () => {});
    stale.on('error', () => {});
    const keys = Array.from({ length: 24 }, (_, i) => `tls-load-${i}`);
    let turn = 0;
    const op = (client: Cluster) => async () => {
      const key = keys[turn++ % keys.length]!;
      await client.set(key, key);
      if ((await client.get(key)) !== key) throw new Error(`wrong value for ${key}`);
    };
    const rotatingWorkers = startWorkers(2, op(rotating), 5);
    const staleWorkers = startWorkers(1, op(stale), 5);
    try {
      for (let i = 0; i < 4; i++) {
        const next = newPassword();
        const versionId = sm.putPending('solo', elastiCacheSecret('solo', next));
        // setSecret of a single-user rotation: the new password replaces the old, node after node.
        await cluster.setUser('solo', rules(next), { nodeDelayMs: 150 });
        await cluster.killUserClients('solo');
        await new Promise((resolve) => setTimeout(resolve, 200));
        sm.promote('solo', versionId);
        password = next;
      }
    } finally {
      const rotatingTally = await rotatingWorkers.stop();
      const staleTally = await staleWorkers.stop();
      rotating.disconnect();
      stale.disconnect();
      console.info(
        `TLS cluster, 4 single-user rotations node by node: createRotatingCluster ${rotatingTally.failures} failed / ${rotatingTally.attempts}, static password ${staleTally.failures} failed / ${staleTally.attempts} ${JSON.stringify(staleTally.errors)}`,
      );
      expect(rotatingTally.failures).toBe(0);
      expect(rotatingTally.attempts).toBeGreaterThan(20);
      expect(staleTally.failures).toBeGreaterThan(0);
    }
    // Negative control: the first password is refused by every node over TLS.
    for (const node of cluster.nodes) {
      expect(await refusalOf({ ...node, username: 'solo', password: first, tls: tls() })).toMatch(
        /^WRONGPASS/,
      );
    }
  });
});

describe('bad configuration gets one clear error', () => {
  it('a cluster without startup nodes, or with options that carry credentials, throws at construction', () => {
    const cache = createSecretCache({ client: new MockSecretsManager().client, logger: silentLogger });
    expect(() => createRotatingCluster({ secretId: 's', cache, nodes: [] })).toThrow(
      InvalidConfigurationError,
    );
    expect(() => createRotatingCluster({ secretId: 's', cache, nodes: [{ host: '', port: 1 }] })).toThrow(
      /nodes\[0\] has no host/,
    );
    expect(() =>
      createRotatingCluster({
        secretId: 's',
        cache,
        nodes: [{ host: 'h', port: 6379 }],
        cluster: {
          redisOptions: { password: 'x' } as never,
        },
      }),
    ).toThrow(/remove password/);
    expect(() => createRotatingCluster({ secretId: '', cache, nodes: nodes() })).toThrow(/needs a secretId/);
  });

  it('a secret that is not JSON fails the first command with InvalidSecretError and stops reconnecting', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('broken', 'this is not json');
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const client = createRotatingCluster({
      secretId: 'broken',
      cache,
      recovery,
      nodes: nodes(),
      cluster: { redisOptions: { tls: tls() } },
    });
    client.on('error', () => {});
    const started = Date.now();
    const failure = await client.get('any').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidSecretError);
    expect(String((failure as Error).message)).toMatch(/broken .* is not valid JSON/);
    expect(String((failure as Error).message)).not.toContain('this is not json');
    expect(Date.now() - started).toBeLessThan(5_000);
    // It does not go on trying: Secrets Manager was read a bounded number of times.
    const reads = sm.calls('GetSecretValue');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sm.calls('GetSecretValue')).toBe(reads);
    expect(client.status).toBe('end');
    client.disconnect();
  });
});
