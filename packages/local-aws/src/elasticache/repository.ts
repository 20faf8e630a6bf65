/**
 * The emulated ElastiCache's state: users, user groups and the caches they reach, how the applied users
 * become each cache's ACL, and the exportable form saved in the state file.
 */
import type { LocalAwsLogger } from '../logger.js';
import { AwsApiError } from '../service.js';
import { accessStringRules } from './access-string.js';
import { authenticationRules } from './authentication.js';
import { type CacheRuntime, cacheKey, syncCache } from './caches.js';
import type { ElastiCacheState, ElastiCacheUser, ElastiCacheUserGroup } from './model.js';
import type { ElastiCacheEngine } from './validation.js';

export const DEFAULT_USER_ID = 'default';
export const DEFAULT_USER_NAME = 'default';

export interface ElastiCacheRepository {
  readonly users: Map<string, ElastiCacheUser>;
  readonly groups: Map<string, ElastiCacheUserGroup>;
  readonly caches: Map<string, CacheRuntime>;
  requireUser(userId: string): ElastiCacheUser;
  requireGroup(userGroupId: string): ElastiCacheUserGroup;
  /** The user groups a user is a member of, sorted. */
  groupIdsOf(userId: string): string[];
  /** The caches a user group is associated with, by kind, sorted. */
  cachesOf(userGroupId: string): { replicationGroups: string[]; serverlessCaches: string[] };
  /** Fixes the rules caches enforce for the user to its current settings (at its turn to active). */
  settle(user: ElastiCacheUser): void;
  /** Re-applies a cache's ACL from its user group. */
  sync(cache: CacheRuntime): Promise<void>;
  /** Every cache's ACL brought in line with the applied users, groups and associations. */
  syncAll(): Promise<void>;
  exportState(): ElastiCacheState;
  /** Replaces users, groups and associations (all active) and re-applies them to Redis. */
  importState(state: ElastiCacheState): Promise<void>;
}

export function userNotFound(userId: string): AwsApiError {
  return new AwsApiError('UserNotFound', `User ${userId} not found.`, 404);
}

export function userGroupNotFound(userGroupId: string): AwsApiError {
  return new AwsApiError('UserGroupNotFound', `User group ${userGroupId} not found.`, 404);
}

/**
 * Users named `default` are not applied: the Redis `default` user is the admin login of the backing
 * server (the one this service connects with), so it stays out of reach of the API.
 */
function appliesToRedis(user: ElastiCacheUser): boolean {
  return !user.builtIn && user.userName !== DEFAULT_USER_NAME;
}

export function createElastiCacheRepository(options: {
  caches: Map<string, CacheRuntime>;
  engine: ElastiCacheEngine;
  logger: LocalAwsLogger;
}): ElastiCacheRepository {
  const { caches, engine, logger } = options;
  const users = new Map<string, ElastiCacheUser>();
  const groups = new Map<string, ElastiCacheUserGroup>();

  const addBuiltInDefaultUser = () => {
    users.set(DEFAULT_USER_ID, {
      userId: DEFAULT_USER_ID,
      userName: DEFAULT_USER_NAME,
      engine,
      accessString: 'on ~* +@all',
      authentication: { type: 'no-password', passwordHashes: [] },
      status: 'active',
      builtIn: true,
    });
  };
  addBuiltInDefaultUser();

  const settle = (user: ElastiCacheUser) => {
    if (!appliesToRedis(user)) return;
    user.applied = [...authenticationRules(user.authentication), ...accessStringRules(user.accessString)];
  };

  const membersOf = (cache: CacheRuntime): ElastiCacheUser[] => {
    const group = cache.model.userGroupId === undefined ? undefined : groups.get(cache.model.userGroupId);
    return (group?.userIds ?? [])
      .map((userId) => users.get(userId))
      .filter((user): user is ElastiCacheUser => user !== undefined && appliesToRedis(user));
  };
  const sync = (cache: CacheRuntime) => syncCache(cache, membersOf(cache));
  const syncAll = async () => {
    for (const cache of caches.values()) await sync(cache);
  };

  return {
    users,
    groups,
    caches,
    requireUser(userId) {
      const user = users.get(userId);
      if (!user) throw userNotFound(userId);
      return user;
    },
    requireGroup(userGroupId) {
      const group = groups.get(userGroupId);
      if (!group) throw userGroupNotFound(userGroupId);
      return group;
    },
    groupIdsOf(userId) {
      return [...groups.values()]
        .filter((group) => group.userIds.includes(userId))
        .map((group) => group.userGroupId)
        .sort();
    },
    cachesOf(userGroupId) {
      const of = (kind: 'replication-group' | 'serverless') =>
        [...caches.values()]
          .filter((cache) => cache.model.kind === kind && cache.model.userGroupId === userGroupId)
          .map((cache) => cache.model.id)
          .sort();
      return { replicationGroups: of('replication-group'), serverlessCaches: of('serverless') };
    },
    settle,
    sync,
    syncAll,

    exportState() {
      return {
        version: 2,
        users: [...users.values()]
          .filter((user) => !user.builtIn)
          .map(({ userId, userName, engine: userEngine, accessString, authentication }) => ({
            userId,
            userName,
            engine: userEngine,
            accessString,
            authentication,
          })),
        // A change still `modifying` was accepted: a restarted endpoint applies it.
        userGroups: [...groups.values()].map(
          ({ userGroupId, engine: groupEngine, userIds, pendingChanges }) => ({
            userGroupId,
            engine: groupEngine,
            userIds: [
              ...userIds.filter((id) => !pendingChanges?.userIdsToRemove.includes(id)),
              ...(pendingChanges?.userIdsToAdd ?? []).filter((id) => !userIds.includes(id)),
            ],
          }),
        ),
        associations: [...caches.values()].flatMap(({ model }) =>
          model.userGroupId === undefined
            ? []
            : [{ kind: model.kind, cacheId: model.id, userGroupId: model.userGroupId }],
        ),
      };
    },

    async importState(state) {
      if (state.version !== 1 && state.version !== 2) {
        throw new TypeError(`unsupported ElastiCache state version ${String(state.version)}`);
      }
      users.clear();
      groups.clear();
      addBuiltInDefaultUser();
      for (const saved of state.users) {
        const user: ElastiCacheUser = { ...saved, status: 'active', builtIn: false };
        settle(user);
        users.set(user.userId, user);
      }
      for (const saved of state.userGroups) {
        groups.set(saved.userGroupId, { ...saved, userIds: [...saved.userIds], status: 'active' });
      }
      for (const cache of caches.values()) {
        cache.model.userGroupId = undefined;
        cache.model.status = 'available';
        cache.model.pendingUserGroups = undefined;
      }
      for (const association of state.associations ?? []) {
        const cache = caches.get(cacheKey(association.kind, association.cacheId));
        if (!cache || !groups.has(association.userGroupId)) {
          logger.warn('elasticache: state file names a cache or user group that is not configured; skipped', {
            cache: association.cacheId,
            userGroupId: association.userGroupId,
          });
          continue;
        }
        cache.model.userGroupId = association.userGroupId;
      }
      await syncAll();
    },
  };
}
