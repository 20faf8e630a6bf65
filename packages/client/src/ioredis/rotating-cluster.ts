import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { Cluster, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { validateClusterNodes } from '../cluster-nodes.js';
import { credentialSource } from '../credential-source.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import { resolveRecoveryOptions } from '../with-credentials.js';
import { authenticatingConnectorClass } from './authenticating-connector.js';

/** Options of every node connection; credentials come from the secret, addresses from the cluster. */
export type RotatingClusterNodeConfig = Omit<
  RedisOptions,
  'username' | 'password' | 'Connector' | 'sentinels' | 'path' | 'host' | 'port'
>;

/** ioredis Cluster options Rotor leaves to you. */
export type RotatingClusterConfig = Omit<ClusterOptions, 'redisOptions'> & {
  redisOptions?: RotatingClusterNodeConfig | undefined;
};

export interface RotatingClusterOptions extends SecretBinding {
  /**
   * Startup nodes: the configuration endpoint of an ElastiCache cluster (cluster mode enabled), or
   * some of its nodes. At least one.
   */
  nodes: readonly { host: string; port: number }[];
  /** ioredis Cluster options; `redisOptions` applies to every node (e.g. `tls`, `connectTimeout`). */
  cluster?: RotatingClusterConfig | undefined;
}

const FORBIDDEN_NODE_OPTIONS = ['username', 'password', 'Connector', 'sentinels', 'path', 'host', 'port'];

/** ioredis's own default cluster retry: 100 ms plus 2 ms per attempt, at most 2 s. */
const ioredisDefaultClusterRetry = (times: number) => Math.min(100 + times * 2, 2_000);

/**
 * An ioredis Cluster whose every node connection logs in with the credentials of a Secrets Manager
 * secret. ElastiCache applies a user change node by node, so during a rotation nodes disagree about
 * which password works; each node's (re)connect, including one opened for a MOVED or ASK to a node
 * the client had not used, authenticates on its own and recovers from a refusal (re-read the secret,
 * AWSPENDING mid-rotation, bounded backoff) before ioredis sees it. What one node's connection learns
 * (AWSCURRENT moved, AWSPENDING works) serves the others through the shared credential source.
 */
export function createRotatingCluster(options: RotatingClusterOptions): Cluster {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('createRotatingCluster needs a secretId');
  }
  const nodes = validateClusterNodes(options.nodes, 'createRotatingCluster');
  const { redisOptions = {}, ...clusterConfig } = options.cluster ?? {};
  const forbidden = FORBIDDEN_NODE_OPTIONS.filter((key) => key in redisOptions);
  if (forbidden.length > 0) {
    throw new InvalidConfigurationError(
      `createRotatingCluster takes credentials from the secret and addresses from the cluster; remove ${forbidden.join(', ')} from cluster.redisOptions`,
    );
  }
  const logger = options.logger ?? createDefaultLogger();
  const cache = resolveSecretCache({ cache: options.cache, secretsManager: options.secretsManager, logger });
  const recovery = { logger, ...options.recovery };
  let configurationFailure: Error | undefined;
  const Connector = authenticatingConnectorClass({
    source: credentialSource(cache, options.secretId),
    endpoint: {
      node: true,
      tls: redisOptions.tls,
      connectTimeoutMs: redisOptions.connectTimeout ?? 10_000,
    },
    limits: resolveRecoveryOptions(recovery),
    recovery,
    onConfigurationFailure(error) {
      configurationFailure ??= error;
    },
  });
  const retry = clusterConfig.clusterRetryStrategy ?? ioredisDefaultClusterRetry;
  const cluster = new Cluster(nodes as ClusterNode[], {
    ...clusterConfig,
    redisOptions: { ...redisOptions, Connector },
    // A secret that is not JSON (or no region) fails every node alike: stop instead of retrying forever.
    clusterRetryStrategy: (times, reason) => (configurationFailure ? null : retry(times, reason)),
  });
  // When the cluster gives up it fails queued commands with "None of startup nodes is available";
  // they get the configuration error instead, which says what to fix. flushQueue is an ioredis
  // internal (present in 5.x and 6.x); the integration tests pin this behaviour.
  const internals = cluster as unknown as { flushQueue?: (error: Error) => void };
  const flushQueue = internals.flushQueue;
  if (typeof flushQueue === 'function') {
    internals.flushQueue = (error: Error) => flushQueue.call(cluster, configurationFailure ?? error);
  }
  return cluster;
}
