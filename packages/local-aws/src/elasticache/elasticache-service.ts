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
import { accessStringRules, normalizeAccessString } from './access-string.js';
import {
  type AuthenticationInput,
  authenticationRules,
  resolveCreateAuthentication,
  resolveModifyAuthentication,
} from './authentication.js';
import { cacheOperations } from './cache-operations.js';
import {
  type CacheRuntime,
  cacheKey,
  createCacheRuntimes,
  type ElastiCacheCacheConfig,
  syncCache,
} from './caches.js';
import type { ElastiCacheState, ElastiCacheUser, ElastiCacheUserGroup } from './model.js';
import {
  filterList,
  invalidCombination,
  invalidValue,
  memberList,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
} from './query-input.js';
import type { AclBackend } from './redis-acl.js';
import { type ArnScope, userFields, userGroupFields } from './render.js';
import {
  type ElastiCacheEngine,
  normalizeAuthenticationType,
  normalizeEngine,
  normalizeId,
  validateUserName,
} from './validation.js';
import { element, structureList } from './xml.js';

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

const DEFAULT_USER_ID = 'default';
const DEFAULT_USER_NAME = 'default';
const MIN_RECORDS = 20;
const MAX_RECORDS = 100;
/** How long to wait before retrying an ACL change that Redis did not take (e.g. Redis restarting). */
const APPLY_RETRY_MS = 500;

function userNotFound(userId: string): AwsApiError {
  return new AwsApiError('UserNotFound', `User ${userId} not found.`, 404);
}

function userGroupNotFound(userGroupId: string): AwsApiError {
  return new AwsApiError('UserGroupNotFound', `User group ${userGroupId} not found.`, 404);
}

function pageSize(params: URLSearchParams): number {
  const max = optionalInteger(params, 'MaxRecords') ?? MAX_RECORDS;
  if (max < MIN_RECORDS || max > MAX_RECORDS) {
    throw invalidValue(`MaxRecords must be between ${MIN_RECORDS} and ${MAX_RECORDS}.`);
  }
  return max;
}

/** One page of items sorted by key; the Marker is the (encoded) key of the first item of the next page. */
function paginate<T>(items: readonly T[], key: (item: T) => string, params: URLSearchParams) {
  const size = pageSize(params);
  const marker = optionalString(params, 'Marker');
  let start = 0;
  if (marker) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    if (!after || Buffer.from(after, 'utf8').toString('base64url') !== marker) {
      throw invalidValue('Invalid Marker.');
    }
    start = items.findIndex((item) => key(item) >= after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const next = items[start + size];
  return { page, marker: next ? Buffer.from(key(next), 'utf8').toString('base64url') : undefined };
}

function authenticationInput(params: URLSearchParams): AuthenticationInput {
  const modeType = optionalString(params, 'AuthenticationMode.Type');
  const modePasswords = memberList(params, 'AuthenticationMode.Passwords');
  return {
    passwords: memberList(params, 'Passwords'),
    noPasswordRequired: optionalBoolean(params, 'NoPasswordRequired'),
    mode:
      modeType !== undefined || modePasswords !== undefined
        ? {
            ...(modeType !== undefined ? { type: normalizeAuthenticationType(modeType) } : {}),
            ...(modePasswords !== undefined ? { passwords: modePasswords } : {}),
          }
        : undefined,
  };
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
  // Access strings are checked by a real Redis; any cache's will do.
  const rulesChecker = firstCache.backend;
  const logger = options.logger ?? silentLogger;
  const stateChanged = () => options.onStateChange?.();

  const users = new Map<string, ElastiCacheUser>();
  const groups = new Map<string, ElastiCacheUserGroup>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  function addBuiltInDefaultUser() {
    users.set(DEFAULT_USER_ID, {
      userId: DEFAULT_USER_ID,
      userName: DEFAULT_USER_NAME,
      engine,
      accessString: 'on ~* +@all',
      authentication: { type: 'no-password', passwordHashes: [] },
      status: 'active',
      builtIn: true,
    });
  }
  addBuiltInDefaultUser();

  // Operations and status changes run one at a time: each reads and writes both the map and Redis.
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Users named `default` are not applied: the Redis `default` user is the admin login of the backing
   * server (the one this service connects with), so it stays out of reach of the API.
   */
  function appliesToRedis(user: ElastiCacheUser): boolean {
    return !user.builtIn && user.userName !== DEFAULT_USER_NAME;
  }

  /** Fixes the rules caches enforce for the user to its current settings (at its turn to active). */
  function settle(user: ElastiCacheUser): void {
    if (!appliesToRedis(user)) return;
    user.applied = [...authenticationRules(user.authentication), ...accessStringRules(user.accessString)];
  }

  function membersOf(cache: CacheRuntime): ElastiCacheUser[] {
    const group = cache.model.userGroupId === undefined ? undefined : groups.get(cache.model.userGroupId);
    return (group?.userIds ?? [])
      .map((userId) => users.get(userId))
      .filter((user): user is ElastiCacheUser => user !== undefined && appliesToRedis(user));
  }

  const sync = (cache: CacheRuntime) => syncCache(cache, membersOf(cache));

  /** Every cache's ACL brought in line with the applied users, groups and associations. */
  async function syncAll(): Promise<void> {
    for (const cache of caches.values()) await sync(cache);
  }

  function cachesOf(userGroupId: string) {
    const of = (kind: 'replication-group' | 'serverless') =>
      [...caches.values()]
        .filter((cache) => cache.model.kind === kind && cache.model.userGroupId === userGroupId)
        .map((cache) => cache.model.id)
        .sort();
    return { replicationGroups: of('replication-group'), serverlessCaches: of('serverless') };
  }

  /**
   * Runs `change` now when there is no delay, otherwise after the delay; the status stays transitional
   * until it succeeds, and a change Redis refuses is retried rather than reported active.
   */
  async function transition(label: string, change: () => Promise<void>): Promise<void> {
    const schedule = (wait: number) => {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (closed) return resolve();
          exclusive(change).then(
            () => {
              stateChanged();
              resolve();
            },
            (error: unknown) => {
              retryLater(error);
              resolve();
            },
          );
        }, wait);
        timers.add(timer);
      });
      inFlight.add(done);
      done.finally(() => inFlight.delete(done));
    };
    const retryLater = (error: unknown) => {
      logger.warn(`elasticache: applying ${label} failed; retrying`, {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!closed) schedule(APPLY_RETRY_MS);
    };
    if (delayMs > 0) return schedule(delayMs);
    // No delay: apply before answering, and keep retrying in the background if Redis refuses.
    try {
      await change();
    } catch (error) {
      retryLater(error);
    }
  }

  function groupIdsOf(userId: string): string[] {
    return [...groups.values()]
      .filter((group) => group.userIds.includes(userId))
      .map((group) => group.userGroupId)
      .sort();
  }

  function requireUser(userId: string): ElastiCacheUser {
    const user = users.get(userId);
    if (!user) throw userNotFound(userId);
    return user;
  }

  function requireGroup(userGroupId: string): ElastiCacheUserGroup {
    const group = groups.get(userGroupId);
    if (!group) throw userGroupNotFound(userGroupId);
    return group;
  }

  /** ElastiCache's membership rules: a `default` user is required, user names are unique in a group. */
  function checkMembership(userIds: readonly string[]) {
    const names = userIds.map((userId) => requireUser(userId).userName);
    if (!names.includes(DEFAULT_USER_NAME)) {
      throw new AwsApiError(
        'DefaultUserRequired',
        'A user with the user name default is required in a user group.',
      );
    }
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new AwsApiError('DuplicateUserName', `A user group cannot contain two users named ${name}.`);
      }
      seen.add(name);
    }
  }

  function userIdList(params: URLSearchParams, name: string): string[] {
    return (memberList(params, name) ?? []).map((userId) => normalizeId('UserId', userId));
  }

  const renderUser = (user: ElastiCacheUser, scope: ArnScope, status = user.status) =>
    userFields(user, groupIdsOf(user.userId), scope, status);
  const renderGroup = (group: ElastiCacheUserGroup, scope: ArnScope, status = group.status) =>
    userGroupFields(group, cachesOf(group.userGroupId), scope, status);

  async function createUser(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userId = normalizeId('UserId', requiredString(params, 'UserId'));
    const userName = validateUserName(requiredString(params, 'UserName'));
    const userEngine = normalizeEngine(requiredString(params, 'Engine'));
    const rules = accessStringRules(requiredString(params, 'AccessString'));
    const authentication = resolveCreateAuthentication(authenticationInput(params));
    if (authentication.type === 'iam' && userId !== userName) {
      throw invalidValue('UserId and UserName must be identical for a user with Authentication Mode: iam.');
    }
    if (users.has(userId)) throw new AwsApiError('UserAlreadyExists', `User ${userId} already exists.`);
    if (
      userName !== DEFAULT_USER_NAME &&
      [...users.values()].some((existing) => existing.userName === userName)
    ) {
      throw new AwsApiError('DuplicateUserName', `A user with the user name ${userName} already exists.`);
    }
    await rulesChecker.checkRules(rules);
    const accessString = normalizeAccessString(rules);
    const user: ElastiCacheUser = {
      userId,
      userName,
      engine: userEngine,
      accessString,
      authentication,
      status: 'modifying',
      builtIn: false,
    };
    users.set(userId, user);
    logger.info('elasticache: CreateUser', { userId, userName });
    await transition(`user ${userId}`, async () => {
      if (users.get(userId) !== user) return;
      settle(user);
      await syncAll();
      user.status = 'active';
    });
    return renderUser(user, scope);
  }

  async function modifyUser(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userId = normalizeId('UserId', requiredString(params, 'UserId'));
    const user = requireUser(userId);
    const accessString = optionalString(params, 'AccessString');
    const appendAccessString = optionalString(params, 'AppendAccessString');
    const engineParam = optionalString(params, 'Engine');
    const newEngine = engineParam !== undefined ? normalizeEngine(engineParam) : undefined;
    if (accessString !== undefined && appendAccessString !== undefined) {
      throw invalidCombination('AccessString and AppendAccessString cannot be provided together.');
    }
    const newRules =
      accessString !== undefined
        ? accessStringRules(accessString)
        : appendAccessString !== undefined
          ? [...accessStringRules(user.accessString), ...accessStringRules(appendAccessString)]
          : undefined;
    const newAuthentication = resolveModifyAuthentication(user.authentication, authenticationInput(params));
    if (newRules === undefined && newAuthentication === undefined && newEngine === undefined) {
      throw invalidValue('No modifications were requested.');
    }
    if (user.builtIn) throw invalidValue(`The ${DEFAULT_USER_ID} user cannot be modified.`);
    if (user.status !== 'active') {
      throw new AwsApiError(
        'InvalidUserState',
        `User ${userId} has status ${user.status}. Only active users can be modified.`,
      );
    }
    if (newAuthentication?.type === 'iam' && user.userId !== user.userName) {
      throw invalidValue('UserId and UserName must be identical for a user with Authentication Mode: iam.');
    }
    if (newRules !== undefined) {
      await rulesChecker.checkRules(newRules);
      user.accessString = normalizeAccessString(newRules);
    }
    if (newAuthentication !== undefined) user.authentication = newAuthentication;
    if (newEngine !== undefined) user.engine = newEngine;
    user.status = 'modifying';
    logger.info('elasticache: ModifyUser', { userId });
    await transition(`user ${userId}`, async () => {
      if (users.get(userId) !== user) return;
      settle(user);
      await syncAll();
      user.status = 'active';
    });
    return renderUser(user, scope);
  }

  async function deleteUser(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userId = normalizeId('UserId', requiredString(params, 'UserId'));
    const user = requireUser(userId);
    if (user.builtIn) throw invalidValue(`The ${DEFAULT_USER_ID} user cannot be deleted.`);
    if (user.status !== 'active') {
      throw new AwsApiError(
        'InvalidUserState',
        `User ${userId} has status ${user.status}. Only active users can be deleted.`,
      );
    }
    const memberOf = groupIdsOf(userId);
    if (user.userName === DEFAULT_USER_NAME && memberOf.length > 0) {
      throw new AwsApiError(
        'DefaultUserAssociatedToUserGroup',
        `User ${userId} is the default user of user group ${memberOf[0]}.`,
      );
    }
    const body = renderUser(user, scope, 'deleting');
    user.status = 'deleting';
    logger.info('elasticache: DeleteUser', { userId });
    await transition(`user ${userId}`, async () => {
      if (users.get(userId) !== user) return;
      // "The user will be removed from all user groups" (DeleteUser API reference).
      for (const group of groups.values()) group.userIds = group.userIds.filter((id) => id !== userId);
      users.delete(userId);
      await syncAll();
    });
    return body;
  }

  async function describeUsers(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userIdParam = optionalString(params, 'UserId');
    const engineParam = optionalString(params, 'Engine');
    const filters = filterList(params, 'Filters');
    let selected = [...users.values()].sort((a, b) => (a.userId < b.userId ? -1 : 1));
    if (userIdParam !== undefined) {
      const userId = userIdParam.toLowerCase();
      if (!users.has(userId)) throw userNotFound(userIdParam);
      selected = selected.filter((user) => user.userId === userId);
    }
    if (engineParam !== undefined) {
      const wanted = engineParam.toLowerCase();
      selected = selected.filter((user) => user.engine === wanted);
    }
    for (const filter of filters) {
      if (filter.name !== 'user-id') {
        throw invalidValue(`Invalid filter name ${filter.name}. The supported filter is user-id.`);
      }
      const ids = filter.values.map((value) => value.toLowerCase());
      selected = selected.filter((user) => ids.includes(user.userId));
    }
    const { page, marker } = paginate(selected, (user) => user.userId, params);
    return (
      structureList(
        'Users',
        page.map((user) => renderUser(user, scope)),
      ) + element('Marker', marker)
    );
  }

  async function createUserGroup(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
    const groupEngine = normalizeEngine(requiredString(params, 'Engine'));
    const userIds = [...new Set(userIdList(params, 'UserIds'))];
    if (groups.has(userGroupId)) {
      throw new AwsApiError('UserGroupAlreadyExists', `User group ${userGroupId} already exists.`);
    }
    checkMembership(userIds);
    const group: ElastiCacheUserGroup = { userGroupId, engine: groupEngine, userIds, status: 'creating' };
    groups.set(userGroupId, group);
    logger.info('elasticache: CreateUserGroup', { userGroupId });
    await transition(`user group ${userGroupId}`, async () => {
      if (groups.get(userGroupId) === group) group.status = 'active';
    });
    return renderGroup(group, scope);
  }

  async function modifyUserGroup(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
    const group = requireGroup(userGroupId);
    const toAdd = [...new Set(userIdList(params, 'UserIdsToAdd'))];
    const toRemove = [...new Set(userIdList(params, 'UserIdsToRemove'))];
    const engineParam = optionalString(params, 'Engine');
    const newEngine = engineParam !== undefined ? normalizeEngine(engineParam) : undefined;
    if (toAdd.length === 0 && toRemove.length === 0 && newEngine === undefined) {
      throw invalidValue('No modifications were requested.');
    }
    if (group.status !== 'active') {
      throw new AwsApiError(
        'InvalidUserGroupState',
        `User group ${userGroupId} has status ${group.status}. Only active user groups can be modified.`,
      );
    }
    for (const userId of [...toAdd, ...toRemove]) requireUser(userId);
    for (const userId of toAdd) {
      if (group.userIds.includes(userId)) {
        throw invalidValue(`User ${userId} is already a member of user group ${userGroupId}.`);
      }
      if (toRemove.includes(userId)) {
        throw invalidCombination(`User ${userId} cannot be both added and removed.`);
      }
    }
    for (const userId of toRemove) {
      if (!group.userIds.includes(userId)) {
        throw invalidValue(`User ${userId} is not a member of user group ${userGroupId}.`);
      }
    }
    const nextUserIds = [...group.userIds.filter((userId) => !toRemove.includes(userId)), ...toAdd];
    checkMembership(nextUserIds);
    if (newEngine !== undefined) group.engine = newEngine;
    group.status = 'modifying';
    group.pendingChanges = { userIdsToAdd: toAdd, userIdsToRemove: toRemove };
    logger.info('elasticache: ModifyUserGroup', { userGroupId, added: toAdd, removed: toRemove });
    const body = renderGroup(group, scope);
    await transition(`user group ${userGroupId}`, async () => {
      if (groups.get(userGroupId) !== group) return;
      group.userIds = group.userIds.filter((userId) => !toRemove.includes(userId));
      group.userIds.push(...toAdd.filter((userId) => users.has(userId) && !group.userIds.includes(userId)));
      // Added users reach the group's caches; removed ones are deleted there, which ends their open
      // connections ("Any open connections belonging to a user removed from a user group are ended").
      await syncAll();
      group.pendingChanges = undefined;
      group.status = 'active';
    });
    return delayMs === 0 ? renderGroup(group, scope) : body;
  }

  async function describeUserGroups(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userGroupIdParam = optionalString(params, 'UserGroupId');
    let selected = [...groups.values()].sort((a, b) => (a.userGroupId < b.userGroupId ? -1 : 1));
    if (userGroupIdParam !== undefined) {
      const userGroupId = userGroupIdParam.toLowerCase();
      if (!groups.has(userGroupId)) throw userGroupNotFound(userGroupIdParam);
      selected = selected.filter((group) => group.userGroupId === userGroupId);
    }
    const { page, marker } = paginate(selected, (group) => group.userGroupId, params);
    return (
      structureList(
        'UserGroups',
        page.map((group) => renderGroup(group, scope)),
      ) + element('Marker', marker)
    );
  }

  async function deleteUserGroup(params: URLSearchParams, scope: ArnScope): Promise<string> {
    const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
    const group = requireGroup(userGroupId);
    if (group.status !== 'active') {
      throw new AwsApiError(
        'InvalidUserGroupState',
        `User group ${userGroupId} has status ${group.status}. Only active user groups can be deleted.`,
      );
    }
    const holders = cachesOf(userGroupId);
    const holder = [...holders.replicationGroups, ...holders.serverlessCaches][0];
    if (holder !== undefined) {
      throw new AwsApiError(
        'InvalidUserGroupState',
        `User group ${userGroupId} is associated with cache ${holder}; dissociate it before deleting it.`,
      );
    }
    const body = renderGroup(group, scope, 'deleting');
    group.status = 'deleting';
    logger.info('elasticache: DeleteUserGroup', { userGroupId });
    await transition(`user group ${userGroupId}`, async () => {
      if (groups.get(userGroupId) === group) groups.delete(userGroupId);
    });
    return body;
  }

  const operations: Record<string, (params: URLSearchParams, scope: ArnScope) => Promise<string>> = {
    CreateUser: createUser,
    ModifyUser: modifyUser,
    DeleteUser: deleteUser,
    DescribeUsers: describeUsers,
    CreateUserGroup: createUserGroup,
    ModifyUserGroup: modifyUserGroup,
    DescribeUserGroups: describeUserGroups,
    DeleteUserGroup: deleteUserGroup,
    ...cacheOperations({
      caches,
      requireGroup,
      transition,
      sync,
      logger,
    }),
  };

  return {
    protocol: 'awsQuery',
    serviceName: 'elasticache',
    xmlNamespace: 'http://elasticache.amazonaws.com/doc/2015-02-02/',

    handle(action: string, params: URLSearchParams, context: ServiceContext): Promise<string> {
      const operation = operations[action];
      if (!operation) {
        return Promise.reject(
          new AwsApiError('InvalidAction', `The action ${action} is not valid for this web service.`),
        );
      }
      const scope = { region: context.region, accountId: context.accountId };
      return exclusive(async () => {
        const result = await operation(params, scope);
        if (!action.startsWith('Describe')) stateChanged();
        return result;
      });
    },

    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await exclusive(async () => undefined);
    },

    exportState(): ElastiCacheState {
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

    importState(state: ElastiCacheState): Promise<void> {
      return exclusive(async () => {
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
            logger.warn(
              'elasticache: state file names a cache or user group that is not configured; skipped',
              {
                cache: association.cacheId,
                userGroupId: association.userGroupId,
              },
            );
            continue;
          }
          cache.model.userGroupId = association.userGroupId;
        }
        await syncAll();
      });
    },

    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      inFlight.clear();
      for (const cache of caches.values()) await cache.backend.close();
    },
  };
}
