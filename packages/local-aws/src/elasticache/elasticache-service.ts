/**
 * Emulated ElastiCache users, user groups and caches (awsQuery, API version 2015-02-02) on real Redis.
 *
 * Each cache (replication group or serverless cache) is its own Redis. A user is a Redis ACL user of a
 * cache, named by its UserName (clients authenticate with the UserName, the UserId is only the API key),
 * exactly while it is in the user group associated with that cache. A change leaves the user `modifying`
 * (groups `creating`/`modifying`, caches `modifying`) for `modifyingDelayMs`; the ACL change reaches the
 * caches when the status turns `active`, so "active" means "propagated", which is what AWS's rotation
 * function relies on (docs/decisions/0020, 0035).
 */
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type QueryProtocolService, type ServiceContext } from '../service.js';
import { createCacheRuntimes, type ElastiCacheCacheConfig } from './caches.js';
import type { ElastiCacheState } from './model.js';
import { cacheOperations } from './operations/caches.js';
import type { ElastiCacheContext, ElastiCacheOperation } from './operations/context.js';
import {
  createUserGroup,
  deleteUserGroup,
  describeUserGroups,
  modifyUserGroup,
} from './operations/user-groups.js';
import { createUser, deleteUser, describeUsers, modifyUser } from './operations/users.js';
import type { AclBackend } from './redis-acl.js';
import type { ArnScope } from './render.js';
import { createElastiCacheRepository } from './repository.js';
import { createTransitions } from './transitions.js';
import type { ElastiCacheEngine } from './validation.js';

export interface ElastiCacheServiceOptions {
  /** The caches, each played by its own Redis. Users log in to a cache only through its user group. */
  readonly caches?: readonly ElastiCacheCacheConfig[];
  /**
   * Shorthand for one replication group (`replicationGroupId`, default `rotor-local`) played by the Redis
   * at this admin URL (`rediss://` for TLS, with `redisCa`).
   */
  readonly redisUrl?: string;
  /** PEM certificate that verifies the `redisUrl` server over TLS. */
  readonly redisCa?: string;
  /** Shorthand, for unit tests: one replication group played by this backend instead of a Redis. */
  readonly aclBackend?: AclBackend;
  /** Id of the shorthand's replication group. Default `rotor-local`. */
  readonly replicationGroupId?: string;
  /** How long a user, group or cache stays modifying/creating/deleting before the change applies. Default 0. */
  readonly modifyingDelayMs?: number;
  /** Engine of the built-in `default` user and of the caches. Default `redis`. */
  readonly engine?: ElastiCacheEngine;
  /** Logs operation names and ids, never passwords. Silent by default. */
  readonly logger?: LocalAwsLogger;
  /**
   * Persistence hook: called after every accepted change and every applied status change, so the owner can
   * save `exportState()` at once (local-aws's state file does).
   */
  readonly onStateChange?: () => void;
}

export interface ElastiCacheService extends QueryProtocolService {
  /** Resolves once every pending status change has been applied. */
  settled(): Promise<void>;
  exportState(): ElastiCacheState;
  /** Replaces the state and re-applies every user to Redis. */
  importState(state: ElastiCacheState): Promise<void>;
}

/** The configured caches: `caches`, or the one-replication-group shorthand. */
function cacheConfigs(options: ElastiCacheServiceOptions): readonly ElastiCacheCacheConfig[] {
  const shorthand = options.redisUrl !== undefined || options.aclBackend !== undefined;
  if (shorthand && options.caches !== undefined) {
    throw new TypeError('Give ElastiCache either caches or redisUrl (aclBackend), not both');
  }
  if (!shorthand) return options.caches ?? [];
  return [
    {
      replicationGroupId: options.replicationGroupId ?? 'rotor-local',
      ...(options.redisUrl !== undefined ? { redisUrl: options.redisUrl } : {}),
      ...(options.redisCa !== undefined ? { ca: options.redisCa } : {}),
      ...(options.aclBackend !== undefined ? { aclBackend: options.aclBackend } : {}),
    },
  ];
}

const OPERATIONS: Record<string, ElastiCacheOperation> = {
  CreateUser: createUser,
  ModifyUser: modifyUser,
  DeleteUser: deleteUser,
  DescribeUsers: describeUsers,
  CreateUserGroup: createUserGroup,
  ModifyUserGroup: modifyUserGroup,
  DescribeUserGroups: describeUserGroups,
  DeleteUserGroup: deleteUserGroup,
};

export function createElastiCacheService(options: ElastiCacheServiceOptions): ElastiCacheService {
  const delayMs = options.modifyingDelayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new TypeError('modifyingDelayMs must be a non-negative number');
  }
  const engine = options.engine ?? 'redis';
  const caches = createCacheRuntimes(cacheConfigs(options), engine);
  const firstCache = [...caches.values()][0];
  if (!firstCache) {
    throw new TypeError('createElastiCacheService needs at least one cache (caches, redisUrl or aclBackend)');
  }
  const logger = options.logger ?? silentLogger;
  const stateChanged = () => options.onStateChange?.();
  const repository = createElastiCacheRepository({ caches, engine, logger });
  const transitions = createTransitions({ delayMs, logger, applied: stateChanged });
  const context: ElastiCacheContext = {
    repository,
    transitions,
    rulesChecker: firstCache.backend,
    delayMs,
    logger,
  };
  const operations: Record<string, (params: URLSearchParams, scope: ArnScope) => Promise<string>> = {
    ...Object.fromEntries(
      Object.entries(OPERATIONS).map(([name, operation]) => [
        name,
        (params: URLSearchParams, scope: ArnScope) => operation(context, params, scope),
      ]),
    ),
    ...cacheOperations({
      caches,
      requireGroup: (userGroupId) => repository.requireGroup(userGroupId),
      transition: (label, change) => transitions.transition(label, change),
      sync: (cache) => repository.sync(cache),
      logger,
    }),
  };

  return {
    protocol: 'awsQuery',
    serviceName: 'elasticache',
    xmlNamespace: 'http://elasticache.amazonaws.com/doc/2015-02-02/',

    handle(action: string, params: URLSearchParams, serviceContext: ServiceContext): Promise<string> {
      const operation = operations[action];
      if (!operation) {
        return Promise.reject(
          new AwsApiError('InvalidAction', `The action ${action} is not valid for this web service.`),
        );
      }
      const scope = { region: serviceContext.region, accountId: serviceContext.accountId };
      return transitions.exclusive(async () => {
        const result = await operation(params, scope);
        if (!action.startsWith('Describe')) stateChanged();
        return result;
      });
    },

    settled: () => transitions.settled(),
    exportState: (): ElastiCacheState => repository.exportState(),
    importState: (state: ElastiCacheState) => transitions.exclusive(() => repository.importState(state)),

    async close() {
      transitions.close();
      for (const cache of caches.values()) await cache.backend.close();
    },
  };
}
