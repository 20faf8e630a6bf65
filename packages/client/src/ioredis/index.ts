/**
 * `@rotor/client/ioredis`: ioredis (a single connection or a Cluster) with credentials from a rotated
 * Secrets Manager secret.
 */
export {
  createRotatingCluster,
  type RotatingClusterConfig,
  type RotatingClusterNodeConfig,
  type RotatingClusterOptions,
} from './rotating-cluster.js';
export {
  connectRedis,
  createRotatingRedis,
  type RotatingRedisConfig,
  type RotatingRedisOptions,
} from './rotating-redis.js';
