/**
 * `@rotor/client/redis`: node-redis (the `redis` package; a client or a cluster) with credentials from
 * a rotated Secrets Manager secret.
 */
export {
  createRotatingRedisClient,
  type RotatingRedisClientConfig,
  type RotatingRedisClientOptions,
} from './rotating-client.js';
export {
  createRotatingRedisCluster,
  type RotatingRedisClusterConfig,
  type RotatingRedisClusterOptions,
} from './rotating-cluster.js';
