/** ElastiCache user groups: CreateUserGroup, ModifyUserGroup, DescribeUserGroups, DeleteUserGroup. */
import { AwsApiError } from '../../service.js';
import type { ElastiCacheUserGroup } from '../model.js';
import { paginate } from '../paginate.js';
import {
  invalidCombination,
  invalidValue,
  memberList,
  optionalString,
  requiredString,
} from '../query-input.js';
import { type ArnScope, userGroupFields } from '../render.js';
import { DEFAULT_USER_NAME, userGroupNotFound } from '../repository.js';
import { normalizeEngine, normalizeId } from '../validation.js';
import { element, structureList } from '../xml.js';
import type { ElastiCacheContext } from './context.js';

export function renderGroup(
  context: ElastiCacheContext,
  group: ElastiCacheUserGroup,
  scope: ArnScope,
  status = group.status,
): string {
  return userGroupFields(group, context.repository.cachesOf(group.userGroupId), scope, status);
}

/** ElastiCache's membership rules: a `default` user is required, user names are unique in a group. */
function checkMembership(context: ElastiCacheContext, userIds: readonly string[]) {
  const names = userIds.map((userId) => context.repository.requireUser(userId).userName);
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

export async function createUserGroup(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { groups } = context.repository;
  const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
  const groupEngine = normalizeEngine(requiredString(params, 'Engine'));
  const userIds = [...new Set(userIdList(params, 'UserIds'))];
  if (groups.has(userGroupId)) {
    throw new AwsApiError('UserGroupAlreadyExists', `User group ${userGroupId} already exists.`);
  }
  checkMembership(context, userIds);
  const group: ElastiCacheUserGroup = { userGroupId, engine: groupEngine, userIds, status: 'creating' };
  groups.set(userGroupId, group);
  context.logger.info('elasticache: CreateUserGroup', { userGroupId });
  // CreateUserGroup answers `creating` even when the group is ready at once (modifyingDelayMs 0): a caller
  // must wait for `active` (DescribeUserGroups) as on AWS, never take the answer for it.
  const body = renderGroup(context, group, scope);
  await context.transitions.transition(`user group ${userGroupId}`, async () => {
    if (groups.get(userGroupId) === group) group.status = 'active';
  });
  return body;
}

export async function modifyUserGroup(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { repository } = context;
  const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
  const group = repository.requireGroup(userGroupId);
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
  for (const userId of [...toAdd, ...toRemove]) repository.requireUser(userId);
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
  checkMembership(context, nextUserIds);
  if (newEngine !== undefined) group.engine = newEngine;
  group.status = 'modifying';
  group.pendingChanges = { userIdsToAdd: toAdd, userIdsToRemove: toRemove };
  context.logger.info('elasticache: ModifyUserGroup', { userGroupId, added: toAdd, removed: toRemove });
  const body = renderGroup(context, group, scope);
  await context.transitions.transition(`user group ${userGroupId}`, async () => {
    if (repository.groups.get(userGroupId) !== group) return;
    group.userIds = group.userIds.filter((userId) => !toRemove.includes(userId));
    group.userIds.push(
      ...toAdd.filter((userId) => repository.users.has(userId) && !group.userIds.includes(userId)),
    );
    // Added users reach the group's caches; removed ones are deleted there, which ends their open
    // connections ("Any open connections belonging to a user removed from a user group are ended").
    await repository.syncAll();
    group.pendingChanges = undefined;
    group.status = 'active';
  });
  return context.delayMs === 0 ? renderGroup(context, group, scope) : body;
}

export async function describeUserGroups(
  context: ElastiCacheContext,
  params: URLSearchParams,
  scope: ArnScope,
) {
  const { groups } = context.repository;
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
      page.map((group) => renderGroup(context, group, scope)),
    ) + element('Marker', marker)
  );
}

export async function deleteUserGroup(context: ElastiCacheContext, params: URLSearchParams, scope: ArnScope) {
  const { repository } = context;
  const userGroupId = normalizeId('UserGroupId', requiredString(params, 'UserGroupId'));
  const group = repository.requireGroup(userGroupId);
  if (group.status !== 'active') {
    throw new AwsApiError(
      'InvalidUserGroupState',
      `User group ${userGroupId} has status ${group.status}. Only active user groups can be deleted.`,
    );
  }
  const holders = repository.cachesOf(userGroupId);
  const holder = [...holders.replicationGroups, ...holders.serverlessCaches][0];
  if (holder !== undefined) {
    throw new AwsApiError(
      'InvalidUserGroupState',
      `User group ${userGroupId} is associated with cache ${holder}; dissociate it before deleting it.`,
    );
  }
  const body = renderGroup(context, group, scope, 'deleting');
  group.status = 'deleting';
  context.logger.info('elasticache: DeleteUserGroup', { userGroupId });
  await context.transitions.transition(`user group ${userGroupId}`, async () => {
    if (repository.groups.get(userGroupId) === group) repository.groups.delete(userGroupId);
  });
  return body;
}
