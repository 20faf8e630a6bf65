/**
 * The servers `local-aws` starts for itself when it is not given any (docs/decisions/0121): a TLS
 * redis-server for the ElastiCache replication group `rotor-local` (user groups need in-transit encryption)
 * and a PostgreSQL behind Redshift, each on a free loopback port with a random password, removed at stop.
 */
import type { ElastiCacheCacheConfig } from '../elasticache/index.js';
import { startCacheServers } from '../harness/cache-servers.js';
import { startPostgresServer } from '../harness/postgres-server.js';

export const EMBEDDED_REPLICATION_GROUP = 'rotor-local';

export interface EmbeddedServers {
  /** The embedded Redis as ElastiCache's one replication group, when it was wanted. */
  readonly caches?: ElastiCacheCacheConfig[];
  /** File with the certificate the embedded Redis (and PostgreSQL) present, for clients that verify. */
  readonly caFile?: string;
  /** Admin URL of the embedded PostgreSQL (user `postgres`), when it was wanted. */
  readonly postgresUrl?: string;
  stop(): Promise<void>;
}

export async function startEmbeddedServers(wanted: {
  redis: boolean;
  postgres: boolean;
}): Promise<EmbeddedServers> {
  const [cacheServers, postgres] = await Promise.allSettled([
    wanted.redis ? startCacheServers({ replicationGroups: [EMBEDDED_REPLICATION_GROUP] }) : undefined,
    wanted.postgres ? startPostgresServer({ tls: true }) : undefined,
  ]);
  const started = [cacheServers, postgres].flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  );
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  const failure = [cacheServers, postgres].find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const caches = cacheServers.status === 'fulfilled' ? cacheServers.value : undefined;
  const pg = postgres.status === 'fulfilled' ? postgres.value : undefined;
  return {
    ...(caches ? { caches: caches.caches, caFile: caches.caFile } : {}),
    ...(pg ? { postgresUrl: pg.connectionString() } : {}),
    ...(!caches && pg?.tls ? { caFile: pg.tls.caFile } : {}),
    stop,
  };
}
