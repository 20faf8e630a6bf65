/**
 * `@rotor/client`: rotation-aware credentials. A Secrets Manager cache, the choice of credentials for
 * a secret (AWSCURRENT, AWSPENDING while a rotation is mid-way) and recovery from refused logins.
 * Driver glue lives in `@rotor/client/pg` and `@rotor/client/ioredis`.
 */
export {
  classifyError,
  type FailureKind,
  isAuthenticationFailure,
  isConfigurationFailure,
} from './auth-errors.js';
export { type BackoffOptions, backoffCeiling, backoffDelay } from './backoff.js';
export { type Clock, systemClock } from './clock.js';
export { type CredentialSource, credentialSource } from './credential-source.js';
export { type CredentialStage, type Credentials, toCredentials } from './credentials.js';
export type { SecretBinding } from './secret-binding.js';
export {
  createSecretCache,
  defaultSecretCache,
  type SecretCache,
  type SecretCacheOptions,
  type SecretState,
  type SecretsManagerConnectionOptions,
  type SecretVersion,
} from './secret-cache.js';
export {
  credentialsUsedBy,
  type RecoveryOptions,
  tagCredentials,
  withCredentials,
} from './with-credentials.js';
