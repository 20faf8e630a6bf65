/**
 * The emulated caches: each replication group or serverless cache is played by its own Redis, and a
 * user exists in a cache's ACL exactly when it is in the user group associated with that cache (the
 * RBAC guide: users reach replication groups through user groups). Everything else is removed with
 * `ACL DELUSER`, which also ends the user's open connections.
 */

import type { CacheKind, ElastiCacheCache, ElastiCacheUser } from './model.js';
import type { AclBackend } from './redis-acl.js';
import { createRedisAclBackend } from './redis-acl.js';
import { type ElastiCacheEngine, normalizeEngine, normalizeId } from './validation.js';

/** One cache of the configuration: `replicationGroupId` or `serverlessCacheName`, and its Redis. */
export interface ElastiCacheCacheConfig {
  /** A replication group (cluster mode disabled, one node group). */
  readonly replicationGroupId?: string;
  /** A serverless cache (always encrypted in transit, so its Redis must speak TLS). */
  readonly serverlessCacheName?: string;
  /**
   * Admin URL of the Redis that plays the cache: `redis://` (TransitEncryptionEnabled false) or
   * `rediss://` (TLS, TransitEncryptionEnabled true). One Redis per cache.
   */
  readonly redisUrl?: string;
  /** PEM certificate(s) that verify a TLS Redis (the harness's `tls.ca`). */
  readonly ca?: string;
  /** The address DescribeReplicationGroups reports, when clients reach the cache by another name. */
  readonly endpoint?: { readonly host: string; readonly port: number };
  /** Default `redis`. */
  readonly engine?: string;
  /** Replaces the Redis connection, for unit tests. */
  readonly aclBackend?: AclBackend;
}

export interface CacheRuntime {
  readonly model: ElastiCacheCache;
  readonly backend: AclBackend;
  /** ACL users this emulator put on the cache, with the rules it gave them. */
  readonly present: Map<string, string>;
}

export const cacheKey = (kind: CacheKind, id: string) => `${kind}:${id}`;

export function createCacheRuntimes(
  configs: readonly ElastiCacheCacheConfig[],
  defaultEngine: ElastiCacheEngine,
): Map<string, CacheRuntime> {
  const runtimes = new Map<string, CacheRuntime>();
  const addresses = new Map<string, string>();
  for (const config of configs) {
    const { kind, id } = identify(config);
    const key = cacheKey(kind, id);
    if (runtimes.has(key)) throw new TypeError(`ElastiCache cache ${id} is configured twice`);
    const backend =
      config.aclBackend ??
      (config.redisUrl !== undefined
        ? createRedisAclBackend(config.redisUrl, { ca: config.ca })
        : failConfig(`ElastiCache cache ${id} needs a redisUrl`));
    if (kind === 'serverless' && !backend.transitEncryption) {
      throw new TypeError(
        `Serverless cache ${id} needs a TLS Redis (rediss://): serverless caches always encrypt in transit`,
      );
    }
    const address = `${backend.endpoint.host}:${backend.endpoint.port}`;
    const other = addresses.get(address);
    if (other !== undefined) {
      throw new TypeError(
        `Caches ${other} and ${id} share the Redis at ${address}; each cache needs its own`,
      );
    }
    addresses.set(address, id);
    runtimes.set(key, {
      backend,
      present: new Map(),
      model: {
        kind,
        id,
        engine: config.engine === undefined ? defaultEngine : normalizeEngine(config.engine),
        endpoint: config.endpoint ?? backend.endpoint,
        transitEncryption: backend.transitEncryption,
        createdAt: new Date(),
        status: 'available',
        userGroupId: undefined,
      },
    });
  }
  return runtimes;
}

function identify(config: ElastiCacheCacheConfig): { kind: CacheKind; id: string } {
  const { replicationGroupId, serverlessCacheName } = config;
  if ((replicationGroupId === undefined) === (serverlessCacheName === undefined)) {
    throw new TypeError(
      'Each ElastiCache cache needs exactly one of replicationGroupId or serverlessCacheName',
    );
  }
  return replicationGroupId !== undefined
    ? { kind: 'replication-group', id: checkedId(replicationGroupId) }
    : { kind: 'serverless', id: checkedId(serverlessCacheName as string) };
}

function checkedId(value: string): string {
  try {
    return normalizeId('UserGroupId', value);
  } catch {
    throw new TypeError(`Invalid cache id ${value}: a letter, then letters, digits and single hyphens`);
  }
}

function failConfig(message: string): never {
  throw new TypeError(message);
}

/**
 * Brings one cache's ACL in line with its user group: every member with applied rules is set (only when
 * its rules changed), every other user this emulator had put there is deleted, closing its connections.
 */
export async function syncCache(cache: CacheRuntime, members: readonly ElastiCacheUser[]): Promise<void> {
  const desired = new Map<string, readonly string[]>();
  for (const user of members) if (user.applied) desired.set(user.userName, user.applied);
  for (const [name, rules] of desired) {
    const key = rules.join('\u0000');
    if (cache.present.get(name) === key) continue;
    await cache.backend.setUser(name, rules);
    cache.present.set(name, key);
  }
  for (const name of [...cache.present.keys()]) {
    if (desired.has(name)) continue;
    await cache.backend.deleteUser(name);
    cache.present.delete(name);
  }
}
