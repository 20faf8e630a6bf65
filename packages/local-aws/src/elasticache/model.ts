/** What the emulated ElastiCache keeps about users and user groups, and its exportable form. */
import type { UserAuthentication } from './authentication.js';
import type { ElastiCacheEngine } from './validation.js';

/** User statuses per the API reference: "active", "modifying" or "deleting". */
export type UserStatus = 'active' | 'modifying' | 'deleting';
/** User group statuses per the API reference: "creating", "active", "modifying", "deleting". */
export type UserGroupStatus = 'creating' | 'active' | 'modifying' | 'deleting';

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
}

export interface ElastiCacheUserGroup {
  readonly userGroupId: string;
  engine: ElastiCacheEngine;
  userIds: string[];
  status: UserGroupStatus;
  pendingChanges?: { userIdsToAdd: string[]; userIdsToRemove: string[] } | undefined;
}

/**
 * The state a restarted endpoint can import. Passwords appear only as SHA-256 digests, the form Redis
 * itself stores; statuses are not kept (everything imports as active).
 */
export interface ElastiCacheState {
  readonly version: 1;
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
}
