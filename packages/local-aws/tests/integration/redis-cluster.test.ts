/**
 * The cluster harness against real redis-server processes: a cluster that serves every slot, ACL users
 * enforced on every node (a wrong password is refused by each), users applied node by node, a node
 * added and slots moved to it with their keys, and the TLS variant.
 */
import { readFileSync } from 'node:fs';
import { type RedisClusterHandle, startRedisCluster } from '@rotor/local-aws/harness';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLogin } from '../support/redis-login.ts';

/** One AUTH + PING against one node, never retried: `PONG`, or the server's own error. */
function loginToNode(cluster: RedisClusterHandle, node: number, username: string, password: string) {
  return redisLogin({ port: cluster.nodes[node]!.port, ca: cluster.tls?.ca }, username, password);
}

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(() => cluster?.stop());

  it('starts three primaries that share all 16384 slots', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(3);
    expect(cluster.nodes.every((node) => node.port !== 6379)).toBe(true);
    const info = String(await cluster.command(0, 'CLUSTER', 'INFO'));
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_slots_assigned:16384');
    expect(info).toContain('cluster_known_nodes:3');
  });

  it('enforces ACL users on every node; a wrong password is refused by each (negative control)', async () => {
    await cluster.setUser('app', ['on', '>Right-password-1', '~*', '+@all']);
    for (let node = 0; node < cluster.nodes.length; node++) {
      await expect(loginToNode(cluster, node, 'app', 'Right-password-1')).resolves.toBe('PONG');
      await expect(loginToNode(cluster, node, 'app', 'Wrong-password-1')).rejects.toThrow(/^WRONGPASS/);
      await expect(loginToNode(cluster, node, 'default', `${cluster.password}x`)).rejects.toThrow(
        /^WRONGPASS/,
      );
    }
  });

  it('applies a password change node by node, with the delay between nodes', async () => {
    await cluster.setUser('staged', ['on', '>Old-password-1', '~*', '+@all']);
    const change = cluster.setUser('staged', ['on', '>New-password-1', '~*', '+@all'], { nodeDelayMs: 400 });
    // Mid-way the nodes disagree, as an ElastiCache user group does while the user is "modifying".
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(loginToNode(cluster, 0, 'staged', 'New-password-1')).resolves.toBe('PONG');
    await expect(loginToNode(cluster, 2, 'staged', 'Old-password-1')).resolves.toBe('PONG');
    await expect(loginToNode(cluster, 2, 'staged', 'New-password-1')).rejects.toThrow(/^WRONGPASS/);
    await change;
    for (let node = 0; node < cluster.nodes.length; node++) {
      await expect(loginToNode(cluster, node, 'staged', 'New-password-1')).resolves.toBe('PONG');
      await expect(loginToNode(cluster, node, 'staged', 'Old-password-1')).rejects.toThrow(/^WRONGPASS/);
    }
  });

  it('serves keys in every slot range through a cluster client, and moves slots with their keys to a new node', async () => {
    const client = new Cluster(
      cluster.nodes.map(({ host, port }) => ({ host, port })),
      { redisOptions: { username: 'app', password: 'Right-password-1' } },
    );
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
      for (const key of keys) await client.set(key, key);
      const owners = new Set(
        await Promise.all(keys.map(async (key) => cluster.ownerOf(await cluster.keySlot(key)))),
      );
      expect(owners.size).toBe(3);

      const added = await cluster.addNode();
      expect(cluster.nodes).toHaveLength(4);
      // The new node has the users the others have.
      await expect(loginToNode(cluster, 3, 'app', 'Right-password-1')).resolves.toBe('PONG');
      const moved = await cluster.keySlot('key-0');
      await cluster.moveSlots([moved], 3);
      expect(await cluster.ownerOf(moved)).toBe(3);
      expect(await client.get('key-0')).toBe('key-0');
      const direct = new Redis({
        host: added.host,
        port: added.port,
        username: 'app',
        password: 'Right-password-1',
        lazyConnect: true,
      });
      await direct.connect();
      expect(await direct.get('key-0')).toBe('key-0');
      direct.disconnect();
    } finally {
      client.disconnect();
    }
  });
});

describe('startRedisCluster with TLS', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster({ tls: true });
  });
  afterAll(() => cluster?.stop());

  it('serves TLS only, verifies against its certificate, and refuses a wrong password', async () => {
    expect(cluster.tls?.ca).toContain('BEGIN CERTIFICATE');
    // The file (for ROTOR_CACHE_CA_FILE) holds the same certificate.
    expect(readFileSync(cluster.tls!.caFile, 'utf8')).toBe(cluster.tls!.ca);
    await cluster.setUser('app', ['on', '>Right-password-1', '~*', '+@all']);
    for (let node = 0; node < cluster.nodes.length; node++) {
      await expect(loginToNode(cluster, node, 'app', 'Right-password-1')).resolves.toBe('PONG');
      await expect(loginToNode(cluster, node, 'app', 'Wrong-password-1')).rejects.toThrow(/^WRONGPASS/);
    }
    const client = new Cluster(
      cluster.nodes.map(({ host, port }) => ({ host, port })),
      { redisOptions: { username: 'app', password: 'Right-password-1', tls: { ca: cluster.tls!.ca } } },
    );
    try {
      for (let i = 0; i < 10; i++) await client.set(`tls-${i}`, String(i));
      expect(await client.get('tls-9')).toBe('9');
    } finally {
      client.disconnect();
    }
  });
});
