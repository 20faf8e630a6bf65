/** What the emulated ElastiCache keeps about users, user groups and caches, and its exportable form. */
import type { UserAuthentication } from './authentication.js';
import type { ElastiCacheEngine } from './validation.js';

/** User statuses per the API reference: "active", "modifying" or "deleting". */
export type UserStatus = 'active' | 'modifying' | 'deleting';
/** User group statuses per the API reference: "creating", "active", "modifying", "deleting". */
export type UserGroupStatus = 'creating' | 'active' | 'modifying' | 'deleting';
/** The cache statuses the emulator uses (ReplicationGroup.Status / ServerlessCache.Status). */
export type CacheStatus = 'available' | 'modifying';
export type CacheKind = 'replication-group' | 'serverless';

export interface ElastiCacheUser {
  /** Lowercase, as ElastiCache stores it; the API key. */
  readonly userId: string;
  /** What clients AUTH with, and the Redis ACL user name. */
  readonly userName: string;
  engine: ElastiCacheEngine;
  /** Normalised the way Redis reports the rules (see access-string.ts). */
  accessString: string;
  authentication: UserAuthentication;
  status: UserStatus;
  /** The built-in `default` user, which cannot be modified or deleted. */
  readonly builtIn: boolean;
  /**
   * The ACL rules caches enforce for this user: fixed when a change turns the user active, so a
   * `modifying` user keeps its previous rules on every cache until then. Undefined until first active.
   */
  applied?: readonly string[] | undefined;
}

export interface ElastiCacheUserGroup {
  readonly userGroupId: string;
  engine: ElastiCacheEngine;
  /** Members as applied: only these users reach the group's caches. */
  userIds: string[];
  status: UserGroupStatus;
  pendingChanges?: { userIdsToAdd: string[]; userIdsToRemove: string[] } | undefined;
}

/** A replication group (cluster mode disabled, one node group) or a serverless cache, played by one Redis. */
export interface ElastiCacheCache {
  readonly kind: CacheKind;
  /** ReplicationGroupId or ServerlessCacheName, lowercase. */
  readonly id: string;
  readonly engine: ElastiCacheEngine;
  /** Where clients connect: the backing Redis, unless the configuration names another address. */
  readonly endpoint: { readonly host: string; readonly port: number };
  /** TransitEncryptionEnabled: the backing Redis speaks TLS only. */
  readonly transitEncryption: boolean;
  readonly createdAt: Date;
  status: CacheStatus;
  /** The user group associated with the cache; at most one, as on AWS. */
  userGroupId: string | undefined;
  pendingUserGroups?: { toAdd: string[]; toRemove: string[] } | undefined;
}

/**
 * The state a restarted endpoint can import. Passwords appear only as SHA-256 digests, the form Redis
 * itself stores; statuses are not kept (everything imports as active/available). Caches come from the
 * configuration; only their user group associations are kept.
 */
export interface ElastiCacheState {
  readonly version: 1 | 2;
  readonly users: ReadonlyArray<{
    readonly userId: string;
    readonly userName: string;
    readonly engine: ElastiCacheEngine;
    readonly accessString: string;
    readonly authentication: UserAuthentication;
  }>;
  readonly userGroups: ReadonlyArray<{
    readonly userGroupId: string;
    readonly engine: ElastiCacheEngine;
    readonly userIds: readonly string[];
  }>;
  /** Version 2: which cache holds which user group. */
  readonly associations?: ReadonlyArray<{
    readonly kind: CacheKind;
    readonly cacheId: string;
    readonly userGroupId: string;
  }>;
}
