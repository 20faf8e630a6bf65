/**
 * `@rotor/engine-elasticache`: rotates Amazon ElastiCache (Redis OSS / Valkey) RBAC user passwords.
 */
export { type ElastiCacheEngine, elastiCacheEngine } from './elasticache-engine.js';
export { type ElastiCacheEngineOptions, elastiCacheEngineOptionsSchema } from './elasticache-options.js';
export { type ElastiCacheSecret, elastiCacheSecretSchema } from './elasticache-secret.js';
