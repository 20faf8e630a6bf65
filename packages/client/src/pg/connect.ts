import { createDefaultLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import pg from 'pg';
import { credentialSource } from '../credential-source.js';
import type { Credentials } from '../credentials.js';
import type { SecretBinding } from '../secret-binding.js';
import { resolveSecretCache } from '../secret-cache.js';
import { withCredentials } from '../with-credentials.js';

export interface ConnectOptions extends SecretBinding {
  /** pg.Client options; `host`, `port`, `database` default to the secret's `host`, `port`, `dbname`. */
  client?: Omit<pg.ClientConfig, 'user' | 'password' | 'connectionString'> | undefined;
}

/** pg.Client options for `credentials`: explicit options win over the secret's endpoint fields. */
export function pgClientConfig(
  credentials: Credentials,
  base: Omit<pg.ClientConfig, 'user' | 'password'> = {},
): pg.ClientConfig {
  return {
    ...(credentials.host ? { host: credentials.host } : {}),
    ...(credentials.port ? { port: credentials.port } : {}),
    ...(credentials.dbname ? { database: credentials.dbname } : {}),
    ...base,
    user: credentials.username,
    password: credentials.password,
  };
}

/**
 * Opens one pg.Client with the secret's credentials, recovering from a refused login (re-read the
 * secret, AWSPENDING mid-rotation, bounded backoff). For code that opens a fresh connection per unit
 * of work; the caller ends the client. Pass a shared `cache`, or the process-wide default is used.
 */
export async function connect(options: ConnectOptions): Promise<pg.Client> {
  if (!options || typeof options.secretId !== 'string' || options.secretId.length === 0) {
    throw new InvalidConfigurationError('connect needs a secretId');
  }
  const logger = options.logger ?? createDefaultLogger();
  const cache = resolveSecretCache({ cache: options.cache, secretsManager: options.secretsManager, logger });
  const source = credentialSource(cache, options.secretId);
  return withCredentials(
    source,
    async (credentials) => {
      const client = new pg.Client(pgClientConfig(credentials, options.client));
      await client.connect();
      return client;
    },
    { logger, ...options.recovery },
  );
}
