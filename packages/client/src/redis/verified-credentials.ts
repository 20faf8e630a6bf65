import type { RotorLogger } from '@rotor/core';
import { isConfigurationFailure } from '../auth-errors.js';
import type { CredentialSource } from '../credential-source.js';
import { authenticateRedisSocket, type RedisTarget } from '../redis-auth.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  runWithCredentials,
} from '../with-credentials.js';

/** node-redis's `AsyncCredentialsProvider` (declared here so its shape is checked against node-redis's). */
export interface VerifiedCredentialsProvider {
  readonly type: 'async-credentials-provider';
  credentials: () => Promise<{ username: string; password: string }>;
}

export interface VerifiedCredentialsSettings {
  source: CredentialSource;
  limits: ResolvedRecoveryOptions;
  recovery: RecoveryOptions;
  logger: RotorLogger;
}

/**
 * node-redis asks its credentials provider for credentials on every (re)connect, then pipelines its
 * queued commands right behind AUTH: a refused AUTH fails them all (NOAUTH), and there is no hook
 * before its handshake. So the provider logs in to the same node first, on a short-lived socket of its
 * own, under the recovery loop (re-read the secret, AWSPENDING mid-rotation, bounded backoff), and
 * hands node-redis only credentials that node accepted a moment ago. Cost: one extra connection and
 * AUTH per (re)connect (measured by `pnpm bench`). The window left is one round trip between the check
 * and node-redis's AUTH.
 *
 * `target()` names the node; the cluster glue binds one provider to each node client.
 */
export function verifiedCredentialsProvider(
  settings: VerifiedCredentialsSettings,
  target: () => RedisTarget | undefined,
): VerifiedCredentialsProvider {
  return {
    type: 'async-credentials-provider',
    async credentials() {
      const where = target();
      if (!where) {
        // Not expected (the cluster glue binds every node client to its address); log in unchecked
        // rather than not at all.
        settings.logger.warn(
          `Secret ${settings.source.secretId}: node-redis did not say which node is connecting; credentials are not checked first`,
        );
        const unchecked = await settings.source.get();
        return { username: unchecked.username, password: unchecked.password };
      }
      const credentials = await runWithCredentials(
        settings.source,
        async (candidate) => {
          const socket = await authenticateRedisSocket(where, candidate);
          socket.on('error', () => {});
          socket.end();
          return candidate;
        },
        settings.limits,
        settings.recovery,
      );
      return { username: credentials.username, password: credentials.password };
    },
  };
}

type ReconnectStrategy = false | number | ((retries: number, cause: Error) => false | Error | number);

/** node-redis's default reconnect delay: 50 ms doubling to 2 s, plus up to 200 ms of jitter. */
function nodeRedisDefaultDelay(retries: number): number {
  return Math.min(2 ** retries * 50, 2_000) + Math.floor(Math.random() * 200);
}

/**
 * The reconnect strategy node-redis gets: a configuration failure (a secret that is not JSON, no AWS
 * region) ends the client with that error; anything else goes to the caller's strategy, or node-redis's
 * default.
 */
export function stopOnConfigurationFailure(
  strategy: ReconnectStrategy | undefined,
): (retries: number, cause: Error) => false | Error | number {
  return (retries, cause) => {
    if (isConfigurationFailure(cause)) return cause;
    if (strategy === undefined) return nodeRedisDefaultDelay(retries);
    if (typeof strategy === 'function') return strategy(retries, cause);
    return strategy;
  };
}

/** The TLS options node-redis's `socket` carries, for the check connection (node-redis keys removed). */
export function tlsOptionsOf(socket: Record<string, unknown>): RedisTarget['tls'] {
  if (socket['tls'] !== true) return undefined;
  const {
    tls: _tls,
    reconnectStrategy: _reconnect,
    connectTimeout: _connectTimeout,
    socketTimeout: _socketTimeout,
    host: _host,
    port: _port,
    ...tls
  } = socket;
  return tls;
}
