/** Emulated ElastiCache users and user groups, applied to a real Redis with `ACL SETUSER`. */

export {
  createElastiCacheService,
  type ElastiCacheService,
  type ElastiCacheServiceOptions,
} from './elasticache-service.js';
export type { ElastiCacheState } from './model.js';
export type { AclBackend } from './redis-acl.js';
export { createRedisAclBackend } from './redis-acl.js';
