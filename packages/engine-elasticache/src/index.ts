/**
 * `@rotor/engine-elasticache`: rotates Amazon ElastiCache (Redis OSS / Valkey) RBAC user passwords.
 */
export { isDisabled, switchedOn } from './access-string.js';
export { type ElastiCacheEngine, elastiCacheEngine } from './elasticache-engine.js';
export { type ElastiCacheSecret, elastiCacheSecretSchema } from './elasticache-secret.js';
export {
  type ElastiCacheEngineOptions,
  elastiCacheEngineOptionsSchema,
  type ResolvedElastiCacheEngineOptions,
} from './options.js';
export {
  ALWAYS_EXCLUDED,
  DEFAULT_EXCLUDE_CHARACTERS,
  DEFAULT_PASSWORD_LENGTH,
  elastiCachePasswordPolicy,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
} from './password-rules.js';
export { type DataPlaneEndpoint, redisLogin } from './redis-login.js';
export { ALTERNATE_SUFFIX, parseUserArn, toggleAlternateSuffix, type UserRef, userArn } from './user-ids.js';
