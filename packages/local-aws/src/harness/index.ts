/**
 * `@rotor/local-aws/harness`: throwaway redis-server and PostgreSQL processes for integration tests, each on
 * a free loopback port with a password enforced. A missing binary fails the test, it never skips it.
 */
export { findPostgresBinDir, findRedisServer, MissingBinaryError } from './binaries.js';
export { type CacheServers, type CacheServersSpec, startCacheServers } from './cache-servers.js';
export { type FakePostgresListener, startFakePostgresListener } from './fake-postgres-listener.js';
export {
  type ConnectionStringOptions,
  type PostgresServerHandle,
  type PostgresServerOptions,
  startPostgresServer,
} from './postgres-server.js';
export { type RecordingListener, startRecordingListener } from './recording-listener.js';
export {
  type NodeByNodeOptions,
  type RedisClusterHandle,
  type RedisClusterNode,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.js';
export { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './redis-server.js';
