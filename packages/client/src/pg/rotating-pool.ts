import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import pg from 'pg';
import { type CredentialSource, credentialSource } from '../credential-source.js';
import type { Credentials } from '../credentials.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
  runWithCredentials,
  tagCredentials,
} from '../with-credentials.js';

/** Pool options Rotor leaves to you; credentials come from the secret. */
export type RotatingPoolConfig = Omit<pg.PoolConfig, 'user' | 'password' | 'Client'>;

export interface RotatingPoolOptions extends SecretBinding {
  /**
   * pg.Pool options. `host`, `port` and `database` default to the secret's `host`, `port` and `dbname`;
   * set them here to override. `maxLifetimeSeconds` defaults to 900 so that connections move to new
   * credentials (and the other user of an alternating-users secret) within a quarter of an hour.
   */
  pool?: RotatingPoolConfig | undefined;
  /** Whether `connect()` (and so `query()`) retries refused logins. Default true. */
  retryConnect?: boolean | undefined;
}

const DEFAULT_MAX_LIFETIME_SECONDS = 900;

/** The fields pg itself reads at connect time (it writes `password` there after a password callback). */
interface ConnectionParameters {
  user: string;
  password: string | null;
  host: string;
  port: number;
  database: string;
}

/**
 * A pg.Client subclass that takes its user and password from the credential source just before it
 * connects: `user` cannot be a function in pg, and alternating-users secrets change the username.
 */
function rotatingClientClass(
  source: CredentialSource,
  explicit: { host: boolean; port: boolean; database: boolean },
): typeof pg.Client {
  return class RotatingClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(
      callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void),
    ): Promise<pg.Client> | undefined {
      const connecting = (async () => {
        const credentials = await source.get();
        this.applyCredentials(credentials);
        try {
          await super.connect();
        } catch (error) {
          throw tagCredentials(error, credentials);
        }
      })();
      if (!callback) return connecting.then(() => this);
      const done = callback as (err: Error | null, c?: pg.Client) => void;
      connecting.then(
        () => done(null, this),
        (error: Error) => done(error),
      );
      return undefined;
    }

    private applyCredentials(credentials: Credentials): void {
      const params = (this as unknown as { connectionParameters: ConnectionParameters }).connectionParameters;
      const self = this as unknown as {
        user: string;
        password: string;
        host: string;
        port: number;
        database: string;
      };
      self.user = params.user = credentials.username;
      self.password = params.password = credentials.password;
      if (!explicit.host && credentials.host) self.host = params.host = credentials.host;
      if (!explicit.port && credentials.port) self.port = params.port = credentials.port;
      if (!explicit.database && credentials.dbname) self.database = params.database = credentials.dbname;
    }
  };
}

/**
 * A pg.Pool whose connections log in with the credentials of a Secrets Manager secret, follow its
 * rotations (new password, or the other user of an alternating-users secret) and recover from refused
 * logins: `connect()` and `query()` retry a connection whose login was refused, after re-reading the
 * secret and, mid-rotation, with AWSPENDING.
 */
export class RotatingPool extends pg.Pool {
  readonly source: CredentialSource;
  private readonly limits: ResolvedRecoveryOptions;
  private readonly recovery: RecoveryOptions;
  private readonly retryConnect: boolean;

  constructor(options: RotatingPoolOptions) {
    if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
      throw new InvalidConfigurationError('createRotatingPool needs a secretId');
    }
    const poolConfig: RotatingPoolConfig = options.pool ?? {};
    const forbidden = ['user', 'password', 'Client'].filter((key) => key in poolConfig);
    if (forbidden.length > 0) {
      throw new InvalidConfigurationError(
        `createRotatingPool takes credentials from the secret; remove ${forbidden.join(', ')} from the pool options`,
      );
    }
    if (poolConfig.connectionString) {
      throw new InvalidConfigurationError(
        'createRotatingPool: use host / port / database instead of connectionString (credentials come from the secret)',
      );
    }
    const logger = options.logger ?? createDefaultLogger();
    const cache = resolveSecretCache({
      cache: options.cache,
      secretsManager: options.secretsManager,
      logger,
    });
    const source = credentialSource(cache, options.secretId);
    const Client = rotatingClientClass(source, {
      host: poolConfig.host !== undefined,
      port: poolConfig.port !== undefined,
      database: poolConfig.database !== undefined,
    });
    super({
      maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS,
      ...poolConfig,
      Client: Client as unknown as pg.PoolConfig['Client'],
    });
    this.source = source;
    this.recovery = { logger, ...options.recovery };
    this.limits = resolveRecoveryOptions(this.recovery);
    this.retryConnect = options.retryConnect ?? true;
  }

  /** Checks out a client; a connection whose login is refused is retried (see withCredentials). */
  connectWithRetry(): Promise<pg.PoolClient> {
    return runWithCredentials(this.source, () => super.connect(), this.limits, this.recovery);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): void;
  override connect(
    callback?: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): Promise<pg.PoolClient> | undefined {
    const connecting = this.retryConnect ? this.connectWithRetry() : super.connect();
    if (!callback) return connecting;
    connecting.then(
      (client) =>
        callback(undefined, client, (release) => client.release(release as Error | boolean | undefined)),
      (error: Error) => callback(error, undefined, () => {}),
    );
    return undefined;
  }
}

/** See {@link RotatingPool}. */
export function createRotatingPool(options: RotatingPoolOptions): RotatingPool {
  return new RotatingPool(options);
}
