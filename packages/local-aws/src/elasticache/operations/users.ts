/** ElastiCache users: CreateUser, ModifyUser, DeleteUser, DescribeUsers. */
import { AwsApiError } from '../../service.js';
import { accessStringRules, normalizeAccessString } from '../access-string.js';
import {
  type AuthenticationInput,
  resolveCreateAuthentication,
  resolveModifyAuthentication,
} from '../authentication.js';
import type { ElastiCacheUser } from '../model.js';
import { paginate } from '../paginate.js';
import {
  filterList,
  invalidCombination,
  invalidValue,
  memberList,
  optionalBoolean,
  optionalString,
  requiredString,
} from '../query-input.js';
import { type ArnScope, userFields } from '../render.js';
import { DEFAULT_USER_ID, DEFAULT_USER_NAME, userNotFound } from '../repository.js';
import {
  normalizeAuthenticationType,
  normalizeEngine,
  normalizeId,
  validateUserName,
} from '../validation.js';
import { element, structureList } from '../xml.js';
import type { ElastiCacheContext } from './context.js';

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

export function renderUser(
  context: ElastiCacheContext,
  user: ElastiCacheUser,
  scope: ArnScope,
  status = user.status,
): string {
  return userFields(user, context.repository.groupIdsOf(user.userId), scope, status);
}

/** The user turns active once its rules reached every cache it is applied to. */
function applyUser(context: ElastiCacheContext, user: ElastiCacheUser): Promise<void> {
  const { repository } = context;
  return context.transitions.transition(`user ${user.userId}`, async () => {
    if (repository.users.get(user.userId) !== user) return;
    repository.settle(user);
    await repository.syncAll();
    user.status = 'active';
  });
}

export async function createUser(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { repository } = context;
  const userId = normalizeId('UserId', requiredString(params, 'UserId'));
  const userName = validateUserName(requiredString(params, 'UserName'));
  const userEngine = normalizeEngine(requiredString(params, 'Engine'));
  const rules = accessStringRules(requiredString(params, 'AccessString'));
  const authentication = resolveCreateAuthentication(authenticationInput(params));
  if (authentication.type === 'iam' && userId !== userName) {
    throw invalidValue('UserId and UserName must be identical for a user with Authentication Mode: iam.');
  }
  if (repository.users.has(userId))
    throw new AwsApiError('UserAlreadyExists', `User ${userId} already exists.`);
  if (
    userName !== DEFAULT_USER_NAME &&
    [...repository.users.values()].some((existing) => existing.userName === userName)
  ) {
    throw new AwsApiError('DuplicateUserName', `A user with the user name ${userName} already exists.`);
  }
  await context.rulesChecker.checkRules(rules);
  const user: ElastiCacheUser = {
    userId,
    userName,
    engine: userEngine,
    accessString: normalizeAccessString(rules),
    authentication,
    status: 'modifying',
    builtIn: false,
  };
  repository.users.set(userId, user);
  context.logger.info('elasticache: CreateUser', { userId, userName });
  await applyUser(context, user);
  return renderUser(context, user, scope);
}

export async function modifyUser(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const userId = normalizeId('UserId', requiredString(params, 'UserId'));
  const user = context.repository.requireUser(userId);
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
    await context.rulesChecker.checkRules(newRules);
    user.accessString = normalizeAccessString(newRules);
  }
  if (newAuthentication !== undefined) user.authentication = newAuthentication;
  if (newEngine !== undefined) user.engine = newEngine;
  user.status = 'modifying';
  context.logger.info('elasticache: ModifyUser', { userId });
  await applyUser(context, user);
  return renderUser(context, user, scope);
}

export async function deleteUser(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { repository } = context;
  const userId = normalizeId('UserId', requiredString(params, 'UserId'));
  const user = repository.requireUser(userId);
  if (user.builtIn) throw invalidValue(`The ${DEFAULT_USER_ID} user cannot be deleted.`);
  if (user.status !== 'active') {
    throw new AwsApiError(
      'InvalidUserState',
      `User ${userId} has status ${user.status}. Only active users can be deleted.`,
    );
  }
  const memberOf = repository.groupIdsOf(userId);
  if (user.userName === DEFAULT_USER_NAME && memberOf.length > 0) {
    throw new AwsApiError(
      'DefaultUserAssociatedToUserGroup',
      `User ${userId} is the default user of user group ${memberOf[0]}.`,
    );
  }
  const body = renderUser(context, user, scope, 'deleting');
  user.status = 'deleting';
  context.logger.info('elasticache: DeleteUser', { userId });
  await context.transitions.transition(`user ${userId}`, async () => {
    if (repository.users.get(userId) !== user) return;
    // "The user will be removed from all user groups" (DeleteUser API reference).
    for (const group of repository.groups.values())
      group.userIds = group.userIds.filter((id) => id !== userId);
    repository.users.delete(userId);
    await repository.syncAll();
  });
  return body;
}

export async function describeUsers(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { users } = context.repository;
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
      page.map((user) => renderUser(context, user, scope)),
    ) + element('Marker', marker)
  );
}
