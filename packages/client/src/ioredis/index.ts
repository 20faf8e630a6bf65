/**
 * `@rotor/client/ioredis`: ioredis with credentials from a rotated Secrets Manager secret.
 */
export {
  connectRedis,
  createRotatingRedis,
  type RotatingRedisConfig,
  type RotatingRedisOptions,
} from './rotating-redis.js';
