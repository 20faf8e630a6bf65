/**
 * `@rotor/client/pg`: node-postgres with credentials from a rotated Secrets Manager secret.
 */
export { type ConnectOptions, connect, pgClientConfig } from './connect.js';
export {
  createRotatingPool,
  RotatingPool,
  type RotatingPoolConfig,
  type RotatingPoolOptions,
} from './rotating-pool.js';
