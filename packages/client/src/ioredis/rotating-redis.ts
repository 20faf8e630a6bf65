import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { Redis, type RedisOptions } from 'ioredis';
import { credentialSource } from '../credential-source.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import { resolveRecoveryOptions } from '../with-credentials.js';
import { authenticatingConnectorClass } from './authenticating-connector.js';

/** ioredis options Rotor leaves to you; the credentials come from the secret. */
export type RotatingRedisConfig = Omit<
  RedisOptions,
  'username' | 'password' | 'Connector' | 'sentinels' | 'path'
>;

export interface RotatingRedisOptions extends SecretBinding {
  /**
   * ioredis options. `host` and `port` default to the secret's `host` / `port` (ElastiCache secrets
   * carry only `username`, `password` and `user_arn` unless you add the endpoint fields, so set them
   * here otherwise). TLS: pass `tls` here, or set `"tls": true` in the secret.
   */
  redis?: RotatingRedisConfig | undefined;
}

/**
 * An ioredis client that logs in with the username and password of a Secrets Manager secret. Every
 * (re)connect authenticates with the current credentials; a refused AUTH is recovered (re-read the
 * secret, AWSPENDING mid-rotation, bounded backoff) before ioredis sees it, so queued commands wait
 * instead of failing. Existing connections stay logged in across a password change, as Redis and
 * ElastiCache keep them. Standalone (and ElastiCache cluster-mode-disabled) endpoints only.
 */
export function createRotatingRedis(options: RotatingRedisOptions): Redis {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('createRotatingRedis needs a secretId');
  }
  const config: RotatingRedisConfig = options.redis ?? {};
  const forbidden = ['username', 'password', 'Connector', 'sentinels', 'path'].filter((key) => key in config);
  if (forbidden.length > 0) {
    throw new InvalidConfigurationError(
      `createRotatingRedis takes credentials and the connection from the secret; remove ${forbidden.join(', ')} from the redis options`,
    );
  }
  const logger = options.logger ?? createDefaultLogger();
  const cache = resolveSecretCache({ cache: options.cache, secretsManager: options.secretsManager, logger });
  const recovery = { logger, ...options.recovery };
  const Connector = authenticatingConnectorClass({
    source: credentialSource(cache, options.secretId),
    endpoint: {
      host: config.host,
      port: config.port,
      tls: config.tls,
      connectTimeoutMs: config.connectTimeout ?? 10_000,
    },
    limits: resolveRecoveryOptions(recovery),
    recovery,
  });
  return new Redis({ ...config, Connector });
}

/** ioredis's own default: reconnect after 50 ms per attempt, at most 2 s. */
const ioredisDefaultRetry = (times: number) => Math.min(times * 50, 2_000);

/**
 * Opens one authenticated ioredis connection (recovering from a refused AUTH), for code that opens a
 * fresh connection per unit of work. Rejects with the refusal (or network error) itself when the first
 * connect fails, without ioredis retrying it; once connected, the client reconnects under your
 * `retryStrategy` (or ioredis's default). The caller disconnects it and should listen to `error`.
 */
export async function connectRedis(options: RotatingRedisOptions): Promise<Redis> {
  const retryStrategy = options.redis?.retryStrategy ?? ioredisDefaultRetry;
  const client = createRotatingRedis({
    ...options,
    redis: { ...options.redis, retryStrategy: () => null, lazyConnect: true },
  });
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw lastError ?? error;
  } finally {
    client.off('error', remember);
  }
  // ioredis reads retryStrategy at each close: later drops reconnect as usual.
  client.options.retryStrategy = retryStrategy;
  return client;
}
