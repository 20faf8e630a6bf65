import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { createClient, type RedisClientOptions, type RedisClientType } from 'redis';
import { credentialSource } from '../credential-source.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import { resolveRecoveryOptions } from '../with-credentials.js';
import {
  stopOnConfigurationFailure,
  tlsOptionsOf,
  verifiedCredentialsProvider,
} from './verified-credentials.js';

/** node-redis client options Rotor leaves to you; credentials come from the secret. */
export type RotatingRedisClientConfig = Omit<
  RedisClientOptions,
  'url' | 'username' | 'password' | 'credentialsProvider'
>;

export interface RotatingRedisClientOptions extends SecretBinding {
  /**
   * node-redis options. node-redis needs the endpoint when the client is built, so give
   * `socket.host` / `socket.port` (default localhost:6379) and `socket.tls: true` for TLS.
   */
  client?: RotatingRedisClientConfig | undefined;
}

const FORBIDDEN = ['url', 'username', 'password', 'credentialsProvider'];
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * A node-redis client (not yet connected: call `connect()`, as with `createClient`) whose every
 * (re)connect logs in with the username and password of a Secrets Manager secret, checked on the node
 * first (see verifiedCredentialsProvider), so commands queued across a reconnect do not fail on a
 * refused AUTH. A secret that is not JSON (or no AWS region) ends the client with that error.
 */
export function createRotatingRedisClient(options: RotatingRedisClientOptions): RedisClientType {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('createRotatingRedisClient needs a secretId');
  }
  const config: RotatingRedisClientConfig = options.client ?? {};
  const forbidden = FORBIDDEN.filter((key) => key in config);
  if (forbidden.length > 0) {
    throw new InvalidConfigurationError(
      `createRotatingRedisClient takes credentials from the secret; remove ${forbidden.join(', ')} from the client options`,
    );
  }
  const socket = (config.socket ?? {}) as Record<string, unknown> & RotatingRedisClientConfig['socket'];
  if ('path' in socket) {
    throw new InvalidConfigurationError('createRotatingRedisClient connects over TCP; remove socket.path');
  }
  const logger = options.logger ?? createDefaultLogger();
  const cache = resolveSecretCache({ cache: options.cache, secretsManager: options.secretsManager, logger });
  const recovery = { logger, ...options.recovery };
  const target = {
    host: typeof socket['host'] === 'string' ? socket['host'] : 'localhost',
    port: typeof socket['port'] === 'number' ? socket['port'] : 6379,
    tls: tlsOptionsOf(socket),
    connectTimeoutMs:
      typeof socket['connectTimeout'] === 'number' ? socket['connectTimeout'] : DEFAULT_CONNECT_TIMEOUT_MS,
  };
  const credentialsProvider = verifiedCredentialsProvider(
    {
      source: credentialSource(cache, options.secretId),
      limits: resolveRecoveryOptions(recovery),
      recovery,
      logger,
    },
    () => target,
  );
  return createClient({
    ...config,
    credentialsProvider,
    socket: { ...socket, reconnectStrategy: stopOnConfigurationFailure(socket.reconnectStrategy) },
  } as RedisClientOptions) as RedisClientType;
}
