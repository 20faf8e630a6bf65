/**
 * The engine's operations on ElastiCache RBAC users, as plain functions of the runtime, the request and the
 * step context. Passwords change through the control plane (ModifyUser) under the function's IAM role;
 * changes are asynchronous (`modifying` until applied). Logins go only to trusted endpoints (decision 0035).
 * Alternating users (cloneUser) is in elasticache-clone.ts.
 */
import {
  type AlternateUserResult,
  type ChangeResult,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginResult,
  type PreflightResult,
  type SetPasswordsRequest,
  type StepContext,
  type UserRequest,
  type WaitResult,
} from '@rotor/core/engine';
import { isDisabled } from './access-string.js';
import type { ElastiCacheSecret } from './elasticache-secret.js';
import {
  ACTIVE,
  changeIssued,
  checkAllowedName,
  checkPasswords,
  describeBound,
  type ElastiCacheRuntime,
  fingerprint,
  holdsExactly,
  knownUser,
  modifyFields,
  refuseIamUser,
  requireControlPlane,
  userRef,
  waitUntilActive,
} from './elasticache-users.js';
import { isValidUserId, parseUserArn, toggleAlternateSuffix, userArn } from './user-ids.js';

export async function preflight(
  runtime: ElastiCacheRuntime,
  { user: secret }: UserRequest<ElastiCacheSecret>,
  context: StepContext,
): Promise<PreflightResult> {
  const { settings } = runtime;
  if (settings.secretArn !== undefined && context.secretId !== settings.secretArn) {
    throw new InvalidConfigurationError(
      `This function rotates only secret ${settings.secretArn} (SECRET_ARN); it was invoked for ${context.secretId}`,
      { step: context.step },
    );
  }
  checkAllowedName(settings, secret.username, context);
  const { ref, user } = await describeBound(runtime, secret, context);
  refuseIamUser(user, ref, context);
  // A secret steering logins elsewhere is refused here, before AWSPENDING is written.
  await runtime.loginTester.checkSecretEndpoint({ secret, ref, user }, context);
  return { status: 'ready' };
}

export async function login(
  runtime: ElastiCacheRuntime,
  { user: secret }: UserRequest<ElastiCacheSecret>,
  context: StepContext,
): Promise<LoginResult> {
  const ref = userRef(secret, context);
  const user = await knownUser(runtime, ref, context);
  if (!user) return { status: 'rejected', reason: `user id "${ref.userId}" does not exist` };
  if (user.UserName !== secret.username) {
    return { status: 'rejected', reason: `user id "${ref.userId}" is not named "${secret.username}"` };
  }
  const authType = String(user.Authentication?.Type ?? 'password');
  if (authType === 'no-password' || authType === 'no_password') {
    // Such a user accepts any password, so a successful AUTH would prove nothing.
    return { status: 'rejected', reason: 'the user requires no password yet' };
  }
  if (isDisabled(user.AccessString)) {
    return {
      status: 'disabled',
      reason: `user "${secret.username}" is switched off (access string "off"): it can log in nowhere until it is switched on`,
    };
  }
  return runtime.loginTester.login({ secret, ref, user, password: secret.password ?? '' }, context);
}

export async function setPasswords(
  runtime: ElastiCacheRuntime,
  { user: secret, passwords, principal }: SetPasswordsRequest<ElastiCacheSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  requireControlPlane(principal, context);
  checkPasswords(passwords, context);
  checkAllowedName(runtime.settings, secret.username, context);
  let { ref, user } = await describeBound(runtime, secret, context);
  refuseIamUser(user, ref, context);
  const change = fingerprint(passwords);
  if (runtime.issuedChanges.get(ref.userId) === change) {
    context.logger.info(
      `ModifyUser with these ${passwords.length} passwords was already issued for "${ref.userId}" (status ${String(user.Status)}); not issuing it again`,
    );
    return { status: 'unchanged' };
  }
  if (user.Status !== ACTIVE) {
    context.logger.info(`User "${ref.userId}" is ${String(user.Status)}; waiting for it to be active`);
    user = await waitUntilActive(runtime, ref, context, 'before ModifyUser');
  }
  const fields = modifyFields(runtime.settings, user, passwords);
  if (
    fields.AccessString === undefined &&
    (await holdsExactly(runtime, secret, ref, user, passwords, context))
  ) {
    runtime.issuedChanges.set(ref.userId, change);
    context.logger.info(
      `User "${ref.userId}" already holds exactly these ${passwords.length} password(s) (control plane and AUTH at trusted endpoints); not issuing ModifyUser again`,
    );
    return { status: 'unchanged' };
  }
  await runtime.controlPlane.modifyUser(ref, { UserId: ref.userId, ...fields }, context.step);
  changeIssued(runtime, ref, context);
  runtime.issuedChanges.set(ref.userId, change);
  context.logger.info(
    `ModifyUser issued for "${ref.userId}" with ${passwords.length} password(s)` +
      (fields.NoPasswordRequired === false ? ', switching it to password authentication' : '') +
      (fields.AccessString !== undefined ? ', switching it on' : ''),
  );
  return { status: 'changed' };
}

export async function waitUntilApplied(
  runtime: ElastiCacheRuntime,
  { user: secret }: UserRequest<ElastiCacheSecret>,
  context: StepContext,
): Promise<WaitResult> {
  const ref = userRef(secret, context);
  const user = await waitUntilActive(
    runtime,
    ref,
    context,
    'waiting for the change to apply',
    secret.password === undefined ? undefined : { secret, password: secret.password },
  );
  context.logger.info(`User "${ref.userId}" is active: the change has reached every associated cache`);
  if (user.UserName !== secret.username) {
    throw new InvalidSecretError(
      `User id "${ref.userId}" is named "${String(user.UserName)}", not "${secret.username}"`,
      { step: context.step },
    );
  }
  return { status: 'applied' };
}

/** The alternate user's `username` and `user_arn` (`-clone` toggled on both); builds names only. */
export function alternateUser({
  user: current,
}: UserRequest<ElastiCacheSecret>): AlternateUserResult<ElastiCacheSecret> {
  // Every step checks the ARNs' scope before it calls anything.
  const ref = parseUserArn(current.user_arn);
  if (!ref) throw new InvalidSecretError('"user_arn" is not an ElastiCache user ARN');
  const alternateId = toggleAlternateSuffix(ref.userId);
  if (!isValidUserId(alternateId)) {
    throw new InvalidSecretError(
      `Cannot derive an alternate ElastiCache user id from "${ref.userId}": "${alternateId}" is not a valid user id`,
    );
  }
  return {
    fields: { username: toggleAlternateSuffix(current.username), user_arn: userArn(ref, alternateId) },
  };
}
