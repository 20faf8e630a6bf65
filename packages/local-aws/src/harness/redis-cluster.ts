import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { invalidValue } from '../elasticache/query-input.js';
import type { AclBackend } from '../elasticache/redis-acl.js';
import { findRedisServer } from './binaries.js';
import { freePort, stopProcess, waitFor } from './processes.js';
import {
  listenConfig,
  quoteConfigValue,
  type ServerCertificate,
  spawnRedisServer,
  testCertificate,
} from './redis-server.js';

export interface RedisClusterOptions {
  /** Primaries that share the 16384 slots. Default 3, at least 3 (as Redis Cluster requires). */
  primaries?: number;
  /** Password of the `default` user on every node (the admin login); random when omitted. */
  password?: string;
  /**
   * Serve TLS only, cluster bus included (`tls-cluster yes`), with the harness's one test certificate
   * (shared with every TLS server of the process, so one CA file verifies them all).
   */
  tls?: boolean;
}

export interface RedisClusterNode {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The node's cluster id (CLUSTER MYID). */
  readonly id: string;
}

export interface NodeByNodeOptions {
  /**
   * Pause between two nodes, as ElastiCache applies a user change to one node after another. The
   * first node changes at once; the last after (nodes - 1) pauses. Default 0.
   */
  nodeDelayMs?: number;
}

export interface RedisClusterHandle {
  /** Every node, in the order rotations reach them. Grows with {@link addNode}. */
  readonly nodes: readonly RedisClusterNode[];
  /** Password of the `default` user on every node. */
  readonly password: string;
  /**
   * Present when started with `tls: true`: the certificate clients must trust (PEM), and a file holding
   * it (for settings such as the ElastiCache function's ROTOR_CACHE_CA_FILE).
   */
  readonly tls?: { ca: string; caFile: string };
  /** Runs one command on one node (by index) as the `default` user. */
  command(node: number, ...args: (string | number)[]): Promise<unknown>;
  /** `ACL SETUSER <name> reset <rules>` on every node, node by node; new nodes get it too. */
  setUser(name: string, rules: readonly string[], options?: NodeByNodeOptions): Promise<void>;
  /** `ACL DELUSER` on every node. */
  deleteUser(name: string): Promise<void>;
  /** `CLIENT KILL USER` on every node: the user's connections must reconnect (and log in again). */
  killUserClients(name: string): Promise<void>;
  /**
   * The ElastiCache emulation's ACL backend for this cluster: a user change reaches the nodes one after
   * another (`nodeDelayMs` apart), and the user turns `active` only once every node has it.
   */
  aclBackend(options?: NodeByNodeOptions): AclBackend;
  /** Starts one more primary (no slots yet), joins it to the cluster and gives it every user. */
  addNode(): Promise<RedisClusterNode>;
  /**
   * Moves slots to a node, keys included (CLUSTER SETSLOT IMPORTING / MIGRATING, MIGRATE, SETSLOT
   * NODE), as resharding does: clients see ASK while a slot migrates and MOVED afterwards.
   */
  moveSlots(slots: readonly number[], toNode: number): Promise<void>;
  /** The slot of a key (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** Which node (index) serves a slot now. */
  ownerOf(slot: number): Promise<number>;
  /** What the servers printed, for diagnosing failures. */
  output(): string;
  stop(): Promise<void>;
}

const SLOTS = 16_384;

interface RunningNode {
  node: RedisClusterNode;
  child: ChildProcess;
  admin: Redis;
  busPort: number;
}

/**
 * Starts a throwaway Redis Cluster on free loopback ports: `primaries` redis-server processes with
 * `cluster-enabled yes`, slots split evenly, each enforcing a password for its `default` user.
 * ACL users are per node in Redis Cluster (nothing replicates them), so {@link RedisClusterHandle.setUser}
 * applies a user to each node, as ElastiCache does. Needs Redis 7 or Valkey (`cluster-port`,
 * `CLUSTER ADDSLOTSRANGE`). Throws MissingBinaryError without redis-server.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const primaries = options.primaries ?? 3;
  if (!Number.isInteger(primaries) || primaries < 3) {
    throw new Error('startRedisCluster needs at least 3 primaries (Redis Cluster refuses fewer)');
  }
  const binary = findRedisServer();
  const password = options.password ?? randomBytes(18).toString('base64url');
  const dir = await mkdtemp(join(tmpdir(), 'rotor-redis-cluster-'));
  let certificate: ServerCertificate | undefined;
  const running: RunningNode[] = [];
  const users = new Map<string, readonly string[]>();
  let log = '';

  const stop = async () => {
    await Promise.all(
      running.map(async ({ child, admin }) => {
        admin.disconnect();
        await stopProcess(child, 'SIGTERM');
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };

  const startNode = async (): Promise<RunningNode> => {
    const index = running.length;
    const [port, busPort] = [await freePort(), await freePort()];
    const nodeDir = join(dir, `node-${index}`);
    await mkdir(nodeDir);
    const child = spawnRedisServer(
      binary,
      [
        ...listenConfig(port, certificate),
        ...(certificate ? ['tls-cluster yes'] : []),
        'bind 127.0.0.1',
        'protected-mode yes',
        `dir ${nodeDir}`,
        'save ""',
        'appendonly no',
        'daemonize no',
        'cluster-enabled yes',
        `cluster-port ${busPort}`,
        `cluster-config-file ${join(nodeDir, 'nodes.conf')}`,
        'cluster-node-timeout 5000',
        `requirepass ${quoteConfigValue(password)}`,
      ],
      (text) => {
        log += text
          .split('\n')
          .map((line) => (line ? `[node ${index}] ${line}` : line))
          .join('\n');
      },
    );
    const admin = new Redis({
      host: '127.0.0.1',
      port,
      password,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => (times > 200 ? null : 50),
      ...(certificate ? { tls: { ca: certificate.ca } } : {}),
    });
    admin.on('error', () => {});
    const entry = { node: { host: '127.0.0.1' as const, port, id: '' }, child, admin, busPort };
    running.push(entry);
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`redis-server exited with code ${child.exitCode}:\n${log}`);
        try {
          if (admin.status === 'wait') await admin.connect();
          return (await admin.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      `cluster node ${index}`,
      15_000,
      () => log,
    );
    entry.node = { ...entry.node, id: String(await admin.call('CLUSTER', 'MYID')) };
    return entry;
  };

  const command = (node: number, ...args: (string | number)[]) => {
    const entry = running[node];
    if (!entry) throw new Error(`no cluster node ${node}`);
    return entry.admin.call(String(args[0]), ...args.slice(1).map(String));
  };

  const clusterInfo = async (node: number) => {
    const text = String(await command(node, 'CLUSTER', 'INFO'));
    return Object.fromEntries(
      text
        .split('\r\n')
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':') as [string, string]),
    );
  };

  /** Every node sees every node, all slots served, state ok, and the same epoch-consistent slot map. */
  const waitForConsistentCluster = () =>
    waitFor(
      async () => {
        const infos = await Promise.all(running.map((_, index) => clusterInfo(index)));
        if (
          !infos.every(
            (info) =>
              info['cluster_state'] === 'ok' &&
              Number(info['cluster_known_nodes']) === running.length &&
              Number(info['cluster_slots_assigned']) === SLOTS,
          )
        ) {
          return false;
        }
        const maps = await Promise.all(running.map((_, index) => slotMap(index)));
        return maps.every((map) => map === maps[0]);
      },
      'redis cluster',
      30_000,
      () => log,
    );

  const slotMap = async (node: number) => {
    const slots = (await command(node, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    return slots
      .map(([from, to, [, , id]]) => `${from}-${to}:${id}`)
      .sort()
      .join(',');
  };

  const meet = async (entry: RunningNode) => {
    for (let index = 0; index < running.length; index++) {
      if (running[index] === entry) continue;
      await command(index, 'CLUSTER', 'MEET', '127.0.0.1', entry.node.port, entry.busPort);
    }
  };

  const applyUser = async (entry: RunningNode, name: string, rules: readonly string[]) => {
    await entry.admin.call('ACL', 'SETUSER', name, 'reset', ...rules);
  };

  const nodeByNode = async (work: (entry: RunningNode) => Promise<void>, options?: NodeByNodeOptions) => {
    const pause = options?.nodeDelayMs ?? 0;
    const nodes = [...running];
    for (let index = 0; index < nodes.length; index++) {
      if (index > 0 && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      await work(nodes[index]!);
    }
  };

  const setUser = async (name: string, rules: readonly string[], nodeOptions?: NodeByNodeOptions) => {
    users.set(name, [...rules]);
    await nodeByNode((entry) => applyUser(entry, name, rules), nodeOptions);
  };

  const deleteUser = async (name: string) => {
    users.delete(name);
    await Promise.all(running.map((entry) => entry.admin.call('ACL', 'DELUSER', name)));
  };

  const killUserClients = async (name: string) => {
    await Promise.all(
      running.map(async (entry) => {
        try {
          await entry.admin.call('CLIENT', 'KILL', 'USER', name);
        } catch (error) {
          if (!/no such user/i.test(error instanceof Error ? error.message : String(error))) throw error;
        }
      }),
    );
  };

  const indexOfId = (id: string) => running.findIndex((entry) => entry.node.id === id);

  const ownerOf = async (slot: number) => {
    const slots = (await command(0, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`slot ${slot} is not served`);
    return indexOfId(range[2][2]);
  };

  const moveSlot = async (slot: number, toNode: number) => {
    const from = await ownerOf(slot);
    if (from === toNode) return;
    const source = running[from]!;
    const target = running[toNode];
    if (!target) throw new Error(`no cluster node ${toNode}`);
    await target.admin.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.node.id);
    await source.admin.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.node.id);
    for (;;) {
      const keys = (await source.admin.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '100')) as string[];
      if (keys.length === 0) break;
      await source.admin.call(
        'MIGRATE',
        '127.0.0.1',
        String(target.node.port),
        '',
        '0',
        '5000',
        'AUTH2',
        'default',
        password,
        'KEYS',
        ...keys,
      );
    }
    // The new owner first, then the old one, then everyone (the order redis-cli --cluster uses).
    await target.admin.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.node.id);
    await source.admin.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.node.id);
    await Promise.all(
      running
        .filter((entry) => entry !== source && entry !== target)
        .map((entry) => entry.admin.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.node.id)),
    );
  };

  try {
    if (options.tls) certificate = await testCertificate();
    for (let index = 0; index < primaries; index++) await startNode();
    const perNode = Math.ceil(SLOTS / primaries);
    await Promise.all(
      running.map((_, index) => {
        const from = index * perNode;
        const to = Math.min(SLOTS, from + perNode) - 1;
        return command(index, 'CLUSTER', 'ADDSLOTSRANGE', from, to);
      }),
    );
    for (const entry of running.slice(1)) {
      await command(0, 'CLUSTER', 'MEET', '127.0.0.1', entry.node.port, entry.busPort);
    }
    await waitForConsistentCluster();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    get nodes() {
      return running.map((entry) => entry.node);
    },
    password,
    ...(certificate ? { tls: { ca: certificate.ca, caFile: certificate.certFile } } : {}),
    command,
    setUser,
    deleteUser,
    killUserClients,
    aclBackend(backendOptions) {
      return {
        endpoint: { host: '127.0.0.1', port: running[0]!.node.port },
        transitEncryption: certificate !== undefined,
        async checkRules(rules) {
          const scratch = `rotor-local-aws-check-${randomUUID()}`;
          try {
            await command(0, 'ACL', 'SETUSER', scratch, 'reset', ...rules);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw invalidValue(`Invalid access string: ${message.replace(/^ERR /, '')}`);
          } finally {
            await command(0, 'ACL', 'DELUSER', scratch);
          }
        },
        setUser: (name, rules) => setUser(name, rules, backendOptions),
        deleteUser,
        killUserClients,
        async close() {},
      };
    },
    async addNode() {
      const entry = await startNode();
      for (const [name, rules] of users) await applyUser(entry, name, rules);
      await meet(entry);
      // Until it has learnt the slot map by gossip, the new node answers CLUSTERDOWN.
      await waitForConsistentCluster();
      return entry.node;
    },
    async moveSlots(slots, toNode) {
      for (const slot of slots) await moveSlot(slot, toNode);
      await waitForConsistentCluster();
    },
    async keySlot(key) {
      return Number(await command(0, 'CLUSTER', 'KEYSLOT', key));
    },
    ownerOf,
    output: () => log,
    stop,
  };
}
