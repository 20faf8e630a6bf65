/**
 * Alternating users on ElastiCache: converges on the complete target state whatever happened before (a crash
 * between any two calls): the clone exists like the source (engine, access string), is in every user group of
 * the source, and holds exactly the pending password. Each part is checked from the control plane (and AUTH
 * at trusted endpoints) and only what is missing is done.
 */
import type { User } from '@aws-sdk/client-elasticache';
import {
  type ChangeResult,
  type CloneUserRequest,
  InvalidConfigurationError,
  InvalidSecretError,
  type StepContext,
} from '@rotor/core/engine';
import type { ElastiCacheSecret } from './elasticache-secret.js';
import {
  ACTIVE,
  accessFor,
  changeIssued,
  checkAllowedName,
  checkPasswords,
  describeBound,
  type ElastiCacheRuntime,
  fingerprint,
  forgetUser,
  holdsExactly,
  knownUser,
  modifyFields,
  refuseIamUser,
  requireControlPlane,
  userRef,
  waitUntilActive,
  waitUntilGroupActive,
} from './elasticache-users.js';
import { toggleAlternateSuffix, type UserRef } from './user-ids.js';

export async function cloneUser(
  runtime: ElastiCacheRuntime,
  { source, target, principal }: CloneUserRequest<ElastiCacheSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  requireControlPlane(principal, context);
  if (target.password === undefined) {
    throw new InvalidSecretError('The pending secret has no password', { step: context.step });
  }
  const password: string = target.password;
  checkPasswords([password], context);
  checkAllowedName(runtime.settings, target.username, context);
  // Both ARNs in scope before any call; then the pending user must be exactly the alternate of the
  // current one, so a tampered AWSPENDING cannot redirect the change to another user (`default`).
  const targetRef = userRef(target, context);
  const { ref: sourceRef, user: sourceUser } = await describeBound(runtime, source, context);
  const expectedId = toggleAlternateSuffix(sourceRef.userId);
  const expectedName = toggleAlternateSuffix(source.username);
  if (
    targetRef.userId !== expectedId ||
    target.username !== expectedName ||
    targetRef.region !== sourceRef.region ||
    targetRef.accountId !== sourceRef.accountId
  ) {
    throw new InvalidSecretError(
      `The pending user ("${target.username}", id "${targetRef.userId}") is not the alternate of "${source.username}" (expected "${expectedName}", id "${expectedId}")`,
      { step: context.step },
    );
  }
  refuseIamUser(sourceUser, sourceRef, context);

  const existing = await ensureCloneExists(runtime, targetRef, target, sourceUser, password, context);
  // An alternate id held by someone else is refused before the clone joins any group.
  if (existing) checkCloneIdentity(existing, targetRef, target, sourceUser, source, context);
  await ensureCloneMemberships(runtime, sourceRef, sourceUser, targetRef, context);
  const clone = await waitUntilActive(runtime, targetRef, context, 'before checking its password');
  checkCloneIdentity(clone, targetRef, target, sourceUser, source, context);
  const passwordSent = await ensureClonePassword(
    runtime,
    targetRef,
    target,
    clone,
    sourceUser,
    password,
    context,
  );
  if (!existing) return { status: 'created' };
  return { status: passwordSent ? 'changed' : 'unchanged' };
}

/**
 * CreateUser with the pending password, unless the clone exists (a retry, or a concurrent run that won
 * the race). Returns the user that was already there, undefined when this call created it.
 */
async function ensureCloneExists(
  runtime: ElastiCacheRuntime,
  targetRef: UserRef,
  target: ElastiCacheSecret,
  sourceUser: User,
  password: string,
  context: StepContext,
): Promise<User | undefined> {
  const { controlPlane } = runtime;
  const existing = await knownUser(runtime, targetRef, context);
  if (existing) return existing;
  const created = await controlPlane.createUser(
    targetRef,
    {
      UserId: targetRef.userId,
      UserName: target.username,
      Engine: sourceUser.Engine ?? 'redis',
      AccessString: accessFor(runtime.settings, sourceUser.AccessString) ?? 'off',
      Passwords: [password],
      NoPasswordRequired: false,
    },
    context.step,
  );
  if (!created) return controlPlane.findUser(targetRef, context.step);
  changeIssued(runtime, targetRef, context);
  runtime.issuedChanges.set(targetRef.userId, fingerprint([password]));
  context.logger.info(
    `Created user "${target.username}" (id "${targetRef.userId}") like "${sourceUser.UserName}"`,
  );
  return undefined;
}

/**
 * Every user group of the source holds the clone (adds already pending count; groups are waited for
 * until active). Groups the clone is in and the source is not are left alone and named: removing a
 * user from a group ends its connections, and the clone is the user clients used until the previous
 * rotation (decision 0032).
 */
async function ensureCloneMemberships(
  runtime: ElastiCacheRuntime,
  sourceRef: UserRef,
  sourceUser: User,
  targetRef: UserRef,
  context: StepContext,
): Promise<void> {
  const { controlPlane } = runtime;
  const groupIds = [...(sourceUser.UserGroupIds ?? [])].sort();
  // Groups seen active, holding the clone, and left alone: no need to wait for them again below.
  const settled = new Set<string>();
  for (const groupId of groupIds) {
    let group = await controlPlane.findUserGroup(sourceRef, groupId, context.step);
    if (!group) continue;
    if (group.Status === ACTIVE && group.UserIds?.some((id) => id.toLowerCase() === targetRef.userId)) {
      settled.add(groupId);
    }
    const holds = () =>
      [...(group?.UserIds ?? []), ...(group?.PendingChanges?.UserIdsToAdd ?? [])]
        .map((id) => id.toLowerCase())
        .includes(targetRef.userId);
    if (holds()) continue;
    if (group.Status !== ACTIVE) {
      await waitUntilGroupActive(runtime, sourceRef, groupId, context);
      group = await controlPlane.findUserGroup(sourceRef, groupId, context.step);
      if (!group || holds()) continue;
    }
    await controlPlane.addUserToGroup(targetRef, groupId, context.step);
    forgetUser(runtime, targetRef, context);
    runtime.loginTester.forgetCaches();
    context.logger.info(`Added "${targetRef.userId}" to user group "${groupId}"`);
  }
  for (const groupId of groupIds) {
    if (!settled.has(groupId)) await waitUntilGroupActive(runtime, sourceRef, groupId, context);
  }
  const clone = await knownUser(runtime, targetRef, context);
  const extra = (clone?.UserGroupIds ?? []).filter((groupId) => !groupIds.includes(groupId));
  if (extra.length > 0) {
    context.logger.warn(
      `"${targetRef.userId}" is also in user group(s) ${extra.join(', ')}, which "${String(sourceUser.UserId)}" is not in; left as they are`,
    );
  }
}

function checkCloneIdentity(
  clone: User,
  targetRef: UserRef,
  target: ElastiCacheSecret,
  sourceUser: User,
  source: ElastiCacheSecret,
  context: StepContext,
): void {
  if (clone.UserName !== target.username) {
    throw new InvalidSecretError(
      `User id "${targetRef.userId}" exists but is named "${String(clone.UserName)}", not "${target.username}"`,
      { step: context.step },
    );
  }
  if (clone.Engine && sourceUser.Engine && clone.Engine !== sourceUser.Engine) {
    throw new InvalidConfigurationError(
      `User "${target.username}" runs engine ${clone.Engine} but "${source.username}" runs ${sourceUser.Engine}`,
      { step: context.step },
    );
  }
  refuseIamUser(clone, targetRef, context);
}

/**
 * The clone holds exactly the pending password and the source's access string; ModifyUser otherwise.
 * Returns whether ModifyUser was sent.
 */
async function ensureClonePassword(
  runtime: ElastiCacheRuntime,
  targetRef: UserRef,
  target: ElastiCacheSecret,
  clone: User,
  sourceUser: User,
  password: string,
  context: StepContext,
): Promise<boolean> {
  const change = fingerprint([password]);
  // Keep the pair alike: the clone gets the source's access string again on every rotation.
  const fields = modifyFields(runtime.settings, clone, [password], sourceUser.AccessString);
  if (fields.AccessString === undefined) {
    if (runtime.issuedChanges.get(targetRef.userId) === change) {
      context.logger.info(`The pending password was already sent for "${targetRef.userId}"; not again`);
      return false;
    }
    if (await holdsExactly(runtime, target, targetRef, clone, [password], context)) {
      runtime.issuedChanges.set(targetRef.userId, change);
      context.logger.info(
        `Alternate user "${targetRef.userId}" already holds the pending password (control plane and AUTH at trusted endpoints); not again`,
      );
      return false;
    }
  }
  await runtime.controlPlane.modifyUser(targetRef, { UserId: targetRef.userId, ...fields }, context.step);
  changeIssued(runtime, targetRef, context);
  runtime.issuedChanges.set(targetRef.userId, change);
  context.logger.info(
    `ModifyUser issued for alternate user "${targetRef.userId}"` +
      (fields.AccessString !== undefined ? ' (access string synchronised)' : ''),
  );
  return true;
}
