import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { createCluster, type RedisClusterOptions, type RedisClusterType } from 'redis';
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
 * another, so each node may need other credentials. Root-node discovery connections have their own
 * providers; node clients (the ones MOVED and ASK lead to included) are named by node-redis's
 * `node-connect` event, emitted after the socket connects and before its handshake asks for credentials.
 */
export function createRotatingRedisCluster(options: RotatingRedisClusterOptions): RedisClusterType {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('createRotatingRedisCluster needs a secretId');
  }
  const nodes = validateNodes(options.nodes);
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
  let connecting: RedisTarget | undefined;
  const nodeProvider = verifiedCredentialsProvider(settings, () => {
    const node = connecting;
    connecting = undefined;
    return node;
  });
  const cluster = createCluster({
    ...clusterConfig,
    rootNodes: nodes.map(({ host, port }) => ({
      socket: { host, port },
      credentialsProvider: verifiedCredentialsProvider(settings, () => targetOf(host, port)),
    })),
    defaults: {
      ...defaults,
      credentialsProvider: nodeProvider,
      socket: {
        ...socket,
        reconnectStrategy: stopOnConfigurationFailure(
          socket['reconnectStrategy'] as Parameters<typeof stopOnConfigurationFailure>[0],
        ),
      },
    },
  } as RedisClusterOptions) as unknown as RedisClusterType;
  cluster.on('node-connect', (node: { host?: string; port?: number }) => {
    connecting =
      typeof node?.host === 'string' && typeof node.port === 'number'
        ? targetOf(node.host, node.port)
        : undefined;
  });
  return cluster;
}

function validateNodes(nodes: unknown): { host: string; port: number }[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new InvalidConfigurationError(
      'createRotatingRedisCluster needs at least one root node ({ host, port }), e.g. the configuration endpoint',
    );
  }
  return nodes.map((node: unknown, index) => {
    const { host, port } = (node ?? {}) as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host.length === 0) {
      throw new InvalidConfigurationError(`createRotatingRedisCluster: nodes[${index}] has no host`);
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new InvalidConfigurationError(`createRotatingRedisCluster: nodes[${index}] has no valid port`);
    }
    return { host, port };
  });
}
