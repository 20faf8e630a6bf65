import { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { AbstractConnector, type RedisOptions, ReplyError } from 'ioredis';
import { isConfigurationFailure } from '../auth-errors.js';
import type { CredentialSource } from '../credential-source.js';
import type { Credentials } from '../credentials.js';
import { authenticateRedisSocket } from '../redis-auth.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  runWithCredentials,
} from '../with-credentials.js';

/** Where to connect: explicit options win over the secret's `host` / `port` / `tls` fields. */
export interface RedisEndpoint {
  host: string | undefined;
  port: number | undefined;
  /** `undefined`: TLS when the secret says `"tls": true`. */
  tls: TlsConnectionOptions | undefined;
  connectTimeoutMs: number;
}

export interface AuthenticatingConnectorSettings {
  source: CredentialSource;
  /**
   * Standalone: where to connect. `'node'` (cluster): the address ioredis gives each node's connection
   * (a startup node, or one CLUSTER SLOTS, MOVED or ASK named, after natMap), with this TLS and timeout.
   */
  endpoint: RedisEndpoint | { node: true; tls: TlsConnectionOptions | undefined; connectTimeoutMs: number };
  limits: ResolvedRecoveryOptions;
  recovery: RecoveryOptions;
  /** Told about an error no reconnect can cure (see isConfigurationFailure) before ioredis gets it. */
  onConfigurationFailure?: ((error: Error) => void) | undefined;
}

const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * An ioredis Connector that hands ioredis an already authenticated socket. ioredis reads credentials
 * synchronously before each (re)connect and has no asynchronous credentials hook; a Connector is
 * asynchronous, runs on every (re)connect, and sits before ioredis's handshake. So each connect takes
 * the current credentials from the source and recovers from a refused AUTH (re-read the secret,
 * AWSPENDING mid-rotation, bounded backoff) BEFORE ioredis sees anything: a refusal it never sees cannot
 * flush its offline queue. When recovery gives up, ioredis gets a failed stream (its `error` event,
 * then its retryStrategy), as for any connection error.
 */
export function authenticatingConnectorClass(
  settings: AuthenticatingConnectorSettings,
): NonNullable<RedisOptions['Connector']> {
  return class AuthenticatingConnector extends AbstractConnector {
    private readonly address: { host: string | undefined; port: number | undefined };

    constructor(options: unknown) {
      const given = (options ?? {}) as { disconnectTimeout?: number; host?: string; port?: number };
      super(given.disconnectTimeout ?? 2000);
      this.address =
        'node' in settings.endpoint
          ? { host: given.host, port: given.port }
          : { host: settings.endpoint.host, port: settings.endpoint.port };
    }

    override async connect(): Promise<Socket> {
      this.connecting = true;
      this.firstError = undefined;
      let socket: Socket;
      try {
        socket = await runWithCredentials(
          settings.source,
          (credentials) => this.openAuthenticated(credentials),
          settings.limits,
          settings.recovery,
        );
      } catch (error) {
        if (!this.connecting) throw new Error(CONNECTION_CLOSED);
        if (isConfigurationFailure(error)) {
          // A rejected connect makes ioredis fail its queued commands with this error and stop
          // reconnecting: a secret that is not JSON will not become JSON by retrying.
          settings.onConfigurationFailure?.(error as Error);
          throw error;
        }
        // ioredis treats a destroyed stream with `firstError` like a refused TCP connect: it emits the
        // error and reconnects under its retryStrategy, keeping queued commands.
        this.firstError = error instanceof Error ? error : new Error(String(error));
        const failed = new Socket();
        failed.destroy();
        return failed;
      }
      if (!this.connecting) {
        socket.destroy();
        throw new Error(CONNECTION_CLOSED);
      }
      this.stream = socket;
      return socket;
    }

    /** Opens a socket to this connection's node and logs in with `credentials` (see authenticateRedisSocket). */
    openAuthenticated(credentials: Credentials): Promise<Socket> {
      const { endpoint } = settings;
      return authenticateRedisSocket(
        {
          host: this.address.host ?? credentials.host ?? 'localhost',
          port: this.address.port ?? credentials.port ?? 6379,
          tls: endpoint.tls ?? (credentials.tls ? {} : undefined),
          connectTimeoutMs: endpoint.connectTimeoutMs,
        },
        credentials,
        (message) => new ReplyError(message) as Error,
      );
    }
  };
}
