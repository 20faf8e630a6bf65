import type { ElastiCacheCacheConfig } from '../elasticache/caches.js';
import { type RedisServerHandle, startRedisServer, testCertificate } from './redis-server.js';

export interface CacheServersSpec {
  /** Replication group ids, each played by its own TLS redis-server. */
  replicationGroups?: readonly string[];
  /** Serverless cache names, each played by its own TLS redis-server. */
  serverlessCaches?: readonly string[];
  /**
   * Caches (of those above) that present a certificate of their own, which `caFile` does not verify: a cache
   * the code under test must refuse to trust. Their own certificate is `server(id).tls.ca`.
   */
  ownCertificate?: readonly string[];
}

export interface CacheServers {
  /** For `startLocalAws({ elasticache: { caches } })`. */
  readonly caches: ElastiCacheCacheConfig[];
  /** The redis-server that plays a cache, by its id. */
  server(id: string): RedisServerHandle;
  /** The certificate every cache presents (PEM), and a file holding it, for clients that verify. */
  readonly ca: string;
  readonly caFile: string;
  stop(): Promise<void>;
}

/**
 * Starts one TLS redis-server per cache, as ElastiCache caches with user groups need in-transit
 * encryption. All but those named in `ownCertificate` share the harness's test certificate, so one CA file
 * verifies every other cache.
 */
export async function startCacheServers(spec: CacheServersSpec): Promise<CacheServers> {
  const wanted: Array<{ id: string; identity: ElastiCacheCacheConfig }> = [
    ...(spec.replicationGroups ?? []).map((id) => ({ id, identity: { replicationGroupId: id } })),
    ...(spec.serverlessCaches ?? []).map((id) => ({ id, identity: { serverlessCacheName: id } })),
  ];
  if (wanted.length === 0) throw new TypeError('startCacheServers needs at least one cache');
  const unknown = (spec.ownCertificate ?? []).filter((id) => !wanted.some((cache) => cache.id === id));
  if (unknown.length > 0) throw new TypeError(`ownCertificate names no cache: ${unknown.join(', ')}`);
  const settled = await Promise.allSettled(
    wanted.map(({ id }) =>
      startRedisServer({ tls: true, ownCertificate: spec.ownCertificate?.includes(id) === true }),
    ),
  );
  const servers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const byId = new Map<string, RedisServerHandle>();
  const caches = wanted.map(({ id, identity }, index) => {
    const server = servers[index] as RedisServerHandle;
    byId.set(id, server);
    return { ...identity, redisUrl: server.url, ca: server.tls?.ca ?? '' };
  });
  const tls = await testCertificate();
  if (servers.some((server) => !server.tls))
    throw new Error('startRedisServer({ tls: true }) returned a server without TLS');
  return {
    caches,
    server(id) {
      const server = byId.get(id);
      if (!server) throw new Error(`No cache ${id} was started`);
      return server;
    },
    ca: tls.ca,
    caFile: tls.certFile,
    stop,
  };
}
