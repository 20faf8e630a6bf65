import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { createCluster, type RedisClusterOptions, type RedisClusterType } from 'redis';
import { validateClusterNodes } from '../cluster-nodes.js';
import { credentialSource } from '../credential-source.js';
import type { RedisTarget } from '../redis-auth.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import { resolveRecoveryOptions } from '../with-credentials.js';
import type { RotatingRedisClientConfig } from './rotating-client.js';
import {
  stopOnConfigurationFailure,
  tlsOptionsOf,
  verifiedCredentialsProvider,
} from './verified-credentials.js';

/** node-redis cluster options Rotor leaves to you. */
export type RotatingRedisClusterConfig = Omit<RedisClusterOptions, 'rootNodes' | 'defaults'> & {
  /** Options of every node client (e.g. `socket: { tls: true, ca }`); credentials come from the secret. */
  defaults?: Omit<RotatingRedisClientConfig, 'socket'> & { socket?: Record<string, unknown> };
};

export interface RotatingRedisClusterOptions extends SecretBinding {
  /** Root nodes: the configuration endpoint of an ElastiCache cluster, or some of its nodes. At least one. */
  nodes: readonly { host: string; port: number }[];
  cluster?: RotatingRedisClusterConfig | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * A node-redis cluster client (call `connect()`) whose node connections each log in with the secret's
 * credentials, checked on that node first: during a rotation ElastiCache changes the nodes one after
 * another, so each node may need other credentials.
 *
 * Each client node-redis builds gets a credentials provider bound to its node. Root nodes carry their
 * own. For every other client (the nodes CLUSTER SLOTS lists, those MOVED and ASK lead to, rediscovery
 * through a known node) node-redis looks the node's address up in `nodeAddressMap` and, in the same
 * synchronous step, spreads `defaults` into the client's options: the map records the address, and
 * `defaults.credentialsProvider` is a getter that binds a new provider to it. Rediscovery through an
 * existing client reuses that client's options, provider included.
 */
export function createRotatingRedisCluster(options: RotatingRedisClusterOptions): RedisClusterType {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('createRotatingRedisCluster needs a secretId');
  }
  const nodes = validateClusterNodes(options.nodes, 'createRotatingRedisCluster');
  const { defaults = {}, ...clusterConfig } = options.cluster ?? {};
  const forbidden = ['url', 'username', 'password', 'credentialsProvider'].filter((key) => key in defaults);
  if (forbidden.length > 0) {
    throw new InvalidConfigurationError(
      `createRotatingRedisCluster takes credentials from the secret; remove ${forbidden.join(', ')} from cluster.defaults`,
    );
  }
  const socket = defaults.socket ?? {};
  const logger = options.logger ?? createDefaultLogger();
  const cache = resolveSecretCache({ cache: options.cache, secretsManager: options.secretsManager, logger });
  const recovery = { logger, ...options.recovery };
  const settings = {
    source: credentialSource(cache, options.secretId),
    limits: resolveRecoveryOptions(recovery),
    recovery,
    logger,
  };
  const targetOf = (host: string, port: number): RedisTarget => ({
    host,
    port,
    tls: tlsOptionsOf(socket),
    connectTimeoutMs:
      typeof socket['connectTimeout'] === 'number' ? socket['connectTimeout'] : DEFAULT_CONNECT_TIMEOUT_MS,
  });
  const userMap = clusterConfig.nodeAddressMap;
  let lastLookedUp: RedisTarget | undefined;
  const nodeAddressMap = (address: string) => {
    const mapped = typeof userMap === 'function' ? userMap(address) : userMap?.[address];
    const separator = address.lastIndexOf(':');
    lastLookedUp = targetOf(
      mapped?.host ?? address.slice(0, separator),
      mapped?.port ?? Number(address.slice(separator + 1)),
    );
    return mapped;
  };
  const nodeDefaults = {
    ...defaults,
    socket: {
      ...socket,
      reconnectStrategy: stopOnConfigurationFailure(
        socket['reconnectStrategy'] as Parameters<typeof stopOnConfigurationFailure>[0],
      ),
    },
  };
  Object.defineProperty(nodeDefaults, 'credentialsProvider', {
    enumerable: true,
    get() {
      const node = lastLookedUp;
      lastLookedUp = undefined;
      return verifiedCredentialsProvider(settings, () => node);
    },
  });
  const cluster = createCluster({
    ...clusterConfig,
    nodeAddressMap,
    rootNodes: nodes.map(({ host, port }) => ({
      socket: { host, port },
      credentialsProvider: verifiedCredentialsProvider(settings, () => targetOf(host, port)),
    })),
    defaults: nodeDefaults,
  } as RedisClusterOptions) as unknown as RedisClusterType;
  return cluster;
}
