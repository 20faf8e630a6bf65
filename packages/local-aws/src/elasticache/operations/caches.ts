/**
 * The cache operations an operator and the rotation engine need: describe replication groups and
 * serverless caches, and associate / dissociate user groups. Association follows the RBAC guide: the
 * user group must be active, the cache must have in-transit encryption, and a cache holds at most one
 * user group. The change is asynchronous (`modifying` with PendingModifiedValues, then `available`).
 */
import type { LocalAwsLogger } from '../../logger.js';
import { AwsApiError } from '../../service.js';
import { type CacheRuntime, cacheKey } from '../caches.js';
import type { ElastiCacheCache, ElastiCacheUserGroup } from '../model.js';
import {
  invalidCombination,
  invalidValue,
  memberList,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
} from '../query-input.js';
import { type ArnScope, replicationGroupFields, serverlessCacheFields } from '../render.js';
import { normalizeId } from '../validation.js';
import { element, structureList, wrap } from '../xml.js';

export interface CacheOperationDeps {
  readonly caches: Map<string, CacheRuntime>;
  requireGroup(userGroupId: string): ElastiCacheUserGroup;
  /** Runs `change` after the configured delay, keeping the status transitional until it succeeds. */
  transition(label: string, change: () => Promise<void>): Promise<void>;
  /** Re-applies a cache's ACL from its user group. */
  sync(cache: CacheRuntime): Promise<void>;
  readonly logger: LocalAwsLogger;
}

type Operation = (params: URLSearchParams, scope: ArnScope) => Promise<string>;

/** Parameters these operations understand; anything else is refused rather than silently ignored. */
const MODIFY_REPLICATION_GROUP_PARAMS =
  /^(Action|Version|ReplicationGroupId|ApplyImmediately|RemoveUserGroups|UserGroupIdsTo(Add|Remove)(\.member\.\d+)?)$/;
const MODIFY_SERVERLESS_CACHE_PARAMS = /^(Action|Version|ServerlessCacheName|UserGroupId|RemoveUserGroup)$/;

function refuseUnsupported(params: URLSearchParams, supported: RegExp, operation: string) {
  for (const name of params.keys()) {
    if (!supported.test(name)) {
      throw invalidValue(
        `local-aws emulates only user group changes in ${operation}; ${name} is not supported.`,
      );
    }
  }
}

function replicationGroupNotFound(id: string): AwsApiError {
  return new AwsApiError('ReplicationGroupNotFoundFault', `ReplicationGroup ${id} not found.`, 404);
}

function serverlessCacheNotFound(name: string): AwsApiError {
  return new AwsApiError('ServerlessCacheNotFoundFault', `Serverless cache ${name} not found.`, 404);
}

/** A page of `items` by key after `marker` (an encoded key), and the marker of the next page. */
function page<T>(items: readonly T[], key: (item: T) => string, size: number, marker: string | undefined) {
  let start = 0;
  if (marker !== undefined) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    if (!after || Buffer.from(after, 'utf8').toString('base64url') !== marker) {
      throw invalidValue('Invalid pagination token.');
    }
    start = items.findIndex((item) => key(item) >= after);
    if (start < 0) start = items.length;
  }
  const next = items[start + size];
  return {
    items: items.slice(start, start + size),
    next: next ? Buffer.from(key(next), 'utf8').toString('base64url') : undefined,
  };
}

function boundedInteger(params: URLSearchParams, name: string, min: number, max: number, fallback: number) {
  const value = optionalInteger(params, name) ?? fallback;
  if (value < min || value > max) throw invalidValue(`${name} must be between ${min} and ${max}.`);
  return value;
}

export function cacheOperations(deps: CacheOperationDeps): Record<string, Operation> {
  const ofKind = (kind: ElastiCacheCache['kind']) =>
    [...deps.caches.values()]
      .filter((cache) => cache.model.kind === kind)
      .sort((a, b) => (a.model.id < b.model.id ? -1 : 1));

  const requireCache = (kind: ElastiCacheCache['kind'], id: string) => {
    const cache = deps.caches.get(cacheKey(kind, id.toLowerCase()));
    if (!cache) throw kind === 'serverless' ? serverlessCacheNotFound(id) : replicationGroupNotFound(id);
    return cache;
  };

  /** The checks every association shares: the group exists, is active, and the cache encrypts in transit. */
  const associable = (cache: CacheRuntime, userGroupId: string) => {
    const group = deps.requireGroup(userGroupId);
    if (group.status !== 'active') {
      throw new AwsApiError(
        'InvalidUserGroupState',
        `User group ${group.userGroupId} has status ${group.status}. Only active user groups can be associated.`,
      );
    }
    if (!cache.model.transitEncryption) {
      throw invalidCombination(
        `User groups can only be associated with a cache that has in-transit encryption enabled; ${cache.model.id} has not.`,
      );
    }
    return group.userGroupId;
  };

  /** Starts the association change; it applies (and the ACL follows) when the status turns available. */
  const changeUserGroup = async (cache: CacheRuntime, next: string | undefined, label: string) => {
    const model = cache.model;
    const previous = model.userGroupId;
    model.status = 'modifying';
    model.pendingUserGroups = {
      toAdd: next !== undefined && next !== previous ? [next] : [],
      toRemove: previous !== undefined && next !== previous ? [previous] : [],
    };
    deps.logger.info(`elasticache: ${label}`, { cache: model.id, userGroupId: next ?? null });
    await deps.transition(`cache ${model.id}`, async () => {
      model.userGroupId = next;
      await deps.sync(cache);
      model.pendingUserGroups = undefined;
      model.status = 'available';
    });
  };

  const requireAvailable = (cache: CacheRuntime, code: string) => {
    if (cache.model.status !== 'available') {
      throw new AwsApiError(
        code,
        `Cache ${cache.model.id} has status ${cache.model.status}; it must be available.`,
      );
    }
  };

  return {
    async DescribeReplicationGroups(params, scope) {
      const wanted = optionalString(params, 'ReplicationGroupId');
      const size = boundedInteger(params, 'MaxRecords', 20, 100, 100);
      const selected =
        wanted !== undefined ? [requireCache('replication-group', wanted)] : ofKind('replication-group');
      const result = page(selected, (cache) => cache.model.id, size, optionalString(params, 'Marker'));
      return (
        element('Marker', result.next) +
        wrap(
          'ReplicationGroups',
          result.items
            .map((cache) => wrap('ReplicationGroup', replicationGroupFields(cache.model, scope)))
            .join(''),
        )
      );
    },

    async DescribeServerlessCaches(params, scope) {
      const wanted = optionalString(params, 'ServerlessCacheName');
      const size = boundedInteger(params, 'MaxResults', 1, 100, 50);
      const selected = wanted !== undefined ? [requireCache('serverless', wanted)] : ofKind('serverless');
      const result = page(selected, (cache) => cache.model.id, size, optionalString(params, 'NextToken'));
      return (
        element('NextToken', result.next) +
        structureList(
          'ServerlessCaches',
          result.items.map((cache) => serverlessCacheFields(cache.model, scope)),
        )
      );
    },

    async ModifyReplicationGroup(params, scope) {
      const cache = requireCache('replication-group', requiredString(params, 'ReplicationGroupId'));
      refuseUnsupported(params, MODIFY_REPLICATION_GROUP_PARAMS, 'ModifyReplicationGroup');
      const toAdd = (memberList(params, 'UserGroupIdsToAdd') ?? []).map((id) =>
        normalizeId('UserGroupId', id),
      );
      const toRemove = (memberList(params, 'UserGroupIdsToRemove') ?? []).map((id) =>
        normalizeId('UserGroupId', id),
      );
      const removeAll = optionalBoolean(params, 'RemoveUserGroups') === true;
      if (removeAll && toAdd.length > 0) {
        throw invalidCombination('RemoveUserGroups cannot be combined with UserGroupIdsToAdd.');
      }
      if (toAdd.length === 0 && toRemove.length === 0 && !removeAll) {
        throw invalidValue('No modifications were requested.');
      }
      requireAvailable(cache, 'InvalidReplicationGroupState');
      const current = cache.model.userGroupId;
      for (const id of toRemove) {
        if (id !== current) {
          throw invalidValue(`User group ${id} is not associated with replication group ${cache.model.id}.`);
        }
      }
      const remaining = removeAll
        ? []
        : current !== undefined && !toRemove.includes(current)
          ? [current]
          : [];
      for (const id of toAdd) {
        if (remaining.includes(id)) {
          throw invalidValue(
            `User group ${id} is already associated with replication group ${cache.model.id}.`,
          );
        }
        associable(cache, id);
      }
      const next = [...remaining, ...new Set(toAdd)];
      if (next.length > 1) {
        throw invalidCombination('A replication group can be associated with only one user group.');
      }
      await changeUserGroup(cache, next[0], 'ModifyReplicationGroup');
      return wrap('ReplicationGroup', replicationGroupFields(cache.model, scope));
    },

    async ModifyServerlessCache(params, scope) {
      const cache = requireCache('serverless', requiredString(params, 'ServerlessCacheName'));
      refuseUnsupported(params, MODIFY_SERVERLESS_CACHE_PARAMS, 'ModifyServerlessCache');
      const userGroupParam = optionalString(params, 'UserGroupId');
      const remove = optionalBoolean(params, 'RemoveUserGroup') === true;
      if (remove && userGroupParam !== undefined) {
        throw invalidCombination('UserGroupId cannot be combined with RemoveUserGroup.');
      }
      if (!remove && userGroupParam === undefined) throw invalidValue('No modifications were requested.');
      requireAvailable(cache, 'InvalidServerlessCacheStateFault');
      const current = cache.model.userGroupId;
      let next: string | undefined;
      if (remove) {
        if (current === undefined) {
          throw invalidValue(`Serverless cache ${cache.model.id} has no user group to remove.`);
        }
      } else {
        next = associable(cache, normalizeId('UserGroupId', userGroupParam as string));
        if (next === current) {
          throw invalidValue(
            `User group ${next} is already associated with serverless cache ${cache.model.id}.`,
          );
        }
      }
      await changeUserGroup(cache, next, 'ModifyServerlessCache');
      return wrap('ServerlessCache', serverlessCacheFields(cache.model, scope));
    },
  };
}
