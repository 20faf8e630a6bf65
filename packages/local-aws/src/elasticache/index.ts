/** Emulated ElastiCache users, user groups and caches, applied to real Redis servers with `ACL SETUSER`. */

export type { ElastiCacheCacheConfig } from './caches.js';
export {
  createElastiCacheService,
  type ElastiCacheService,
  type ElastiCacheServiceOptions,
} from './elasticache-service.js';
export type { ElastiCacheState } from './model.js';
export type { AclBackend, RedisAclBackendOptions } from './redis-acl.js';
export { createRedisAclBackend } from './redis-acl.js';
