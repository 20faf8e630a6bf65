/**
 * What the crash scenarios run on: throwaway servers from the harness (TLS Redis caches for ElastiCache, PostgreSQL
 * with md5 logins standing in for Redshift, PostgreSQL with SCRAM-only logins for the PostgreSQL engine)
 * and the engines' built Lambda bundles. Only what the selected scenarios need is started.
 */
import { randomInt } from 'node:crypto';
import {
  type CacheServers,
  type PostgresServerHandle,
  startCacheServers,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import type { CrashCache } from '@rotor/testkit/crash';
import { type BundledEngine, ensureBundle, snapshotBundle } from '../environment/bundles.js';

/** User groups a user of an ElastiCache scenario can be in at most (one cache per group). */
export const MAX_USER_GROUPS = 2;

/** The cache of a worker slot that the scenario's `group`-th user group is associated with. */
export const slotCacheId = (slot: number, group: number) => `crash-${slot}-${group}`;

export interface CrashEnvironment {
  /**
   * ElastiCache replication groups, MAX_USER_GROUPS per worker slot: a slot's case associates its own user
   * groups with its slot's caches, as a replication group takes one user group.
   */
  caches?: { servers: CacheServers; list: CrashCache[] };
  /** md5 logins, as Redshift stores passwords. */
  redshiftPostgres?: PostgresServerHandle;
  /** SCRAM-only logins. */
  postgres?: PostgresServerHandle;
  bundles: Partial<Record<BundledEngine, string>>;
  stop(): Promise<void>;
}

export async function openCrashEnvironment(
  engines: ReadonlySet<BundledEngine>,
  log: (line: string) => void,
  options: { rebuild?: boolean; slots: number },
): Promise<CrashEnvironment> {
  const rebuild = options.rebuild ?? false;
  const stops: Array<() => Promise<void>> = [];
  const env: CrashEnvironment = {
    bundles: {},
    stop: async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
  try {
    if (engines.has('elasticache')) {
      const ids = Array.from({ length: options.slots }, (_, slot) =>
        Array.from({ length: MAX_USER_GROUPS }, (_, group) => slotCacheId(slot, group)),
      ).flat();
      const servers = await startCacheServers({ replicationGroups: ids });
      stops.push(() => servers.stop());
      env.caches = {
        servers,
        list: ids.map((id) => ({
          replicationGroupId: id,
          redisUrl: servers.server(id).url,
          caFile: servers.caFile,
        })),
      };
    }
    if (engines.has('redshift')) {
      env.redshiftPostgres = await startPostgresServer({ authMethod: 'md5' });
      stops.push(() => env.redshiftPostgres!.stop());
    }
    if (engines.has('postgres')) {
      env.postgres = await startPostgresServer({ authMethod: 'scram-sha-256' });
      stops.push(() => env.postgres!.stop());
    }
    // After the servers, so a missing binary is reported before any build runs. A private copy: a rebuild
    // while the matrix runs must not change the function between a scenario's baseline and its cases.
    for (const engine of engines) {
      const snapshot = await snapshotBundle(await ensureBundle(engine, { log, rebuild }));
      stops.push(() => snapshot.dispose());
      env.bundles[engine] = snapshot.path;
    }
    return env;
  } catch (error) {
    await env.stop();
    throw error;
  }
}

const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A first password for a target's user: letters and digits (every engine takes them), each class present. */
export function initialPassword(): string {
  const chars = Array.from({ length: 29 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.join('')}aZ7`;
}
