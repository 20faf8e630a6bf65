import type { RotorLogger } from '@rotor/core';
import type { SecretCache, SecretCacheOptions } from './secret-cache.js';
import type { RecoveryOptions } from './with-credentials.js';

/** What every driver helper takes: which secret, read through which cache, recovered how. */
export interface SecretBinding {
  /** The secret's name or ARN. */
  secretId: string;
  /** A shared cache (recommended: one per process). */
  cache?: SecretCache | undefined;
  /** Builds a cache for this helper when `cache` is absent; with neither, the process-wide default cache. */
  secretsManager?: SecretCacheOptions | undefined;
  /** Retry limits for refused logins (see withCredentials). */
  recovery?: RecoveryOptions | undefined;
  logger?: RotorLogger | undefined;
}
