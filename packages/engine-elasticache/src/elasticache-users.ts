/**
 * What every ElastiCache operation needs to know about a user, from the control plane and the function's
 * configuration: which user a secret names (its ARN in the function's scope, its name bound to its id),
 * whether this function may rotate it, when it is active, and what ModifyUser must send.
 */
import { createHash } from 'node:crypto';
import type { ModifyUserCommandInput, User } from '@aws-sdk/client-elasticache';
import {
  assertArnInScope,
  InvalidConfigurationError,
  InvalidSecretError,
  type PollOptions,
  type Principal,
  pollUntil,
  RotationError,
  type StepContext,
  StepTimeoutError,
  UserNotFoundError,
} from '@rotor/core/engine';
import { isDisabled, switchedOn } from './access-string.js';
import { DEFAULT_ACTIVE_WAIT_SCHEDULE, waitForActive } from './active-wait.js';
import type { ControlPlane } from './control-plane.js';
import { passwordProblem, type ResolvedElastiCacheEngineOptions } from './elasticache-options.js';
import type { ElastiCacheSecret } from './elasticache-secret.js';
import type { LoginTester } from './login-test.js';
import { parseUserArn, toggleAlternateSuffix, type UserRef } from './user-ids.js';

export const ACTIVE = 'active';

/** What the operations work with, made once per engine (per container). */
export interface ElastiCacheRuntime {
  settings: ResolvedElastiCacheEngineOptions;
  controlPlane: ControlPlane;
  loginTester: LoginTester;
  /**
   * What this container has already asked ElastiCache to do, per user id: a hash of the passwords sent.
   * A retried step (same warm container) that finds the user `modifying` or `active` with this exact
   * change recorded does not issue it again. Hashes only, never the passwords.
   */
  issuedChanges: Map<string, string>;
  /** When this container issued the latest change per user id (Date.now()): the wait's schedule counts from it. */
  changeStartedAt: Map<string, number>;
  /** How long the last change this container waited for took: when the next one is expected to be done. */
  timing: { lastChangeMs?: number };
  /**
   * DescribeUsers answers within one invocation (one StepContext), so a step's pre-checks, login tests and
   * change never ask twice for what the step already knows; forgotten when the step changes the user.
   */
  stepUsers: WeakMap<StepContext, Map<string, User>>;
  /** The latest answer per user id in this container: only to find where a wait's probe may log in. */
  lastSeenUsers: Map<string, User>;
}

/** A fresh runtime's per-container memory (decision 0090). */
export function containerMemory(): Pick<
  ElastiCacheRuntime,
  'issuedChanges' | 'changeStartedAt' | 'timing' | 'stepUsers' | 'lastSeenUsers'
> {
  return {
    issuedChanges: new Map(),
    changeStartedAt: new Map(),
    timing: {},
    stepUsers: new WeakMap(),
    lastSeenUsers: new Map(),
  };
}

export function rememberUser(
  runtime: ElastiCacheRuntime,
  ref: UserRef,
  user: User,
  context: StepContext,
): void {
  const known = runtime.stepUsers.get(context) ?? new Map<string, User>();
  runtime.stepUsers.set(context, known);
  known.set(ref.userId, user);
  runtime.lastSeenUsers.delete(ref.userId);
  runtime.lastSeenUsers.set(ref.userId, user);
  if (runtime.lastSeenUsers.size > 256) {
    runtime.lastSeenUsers.delete(runtime.lastSeenUsers.keys().next().value as string);
  }
}

export function forgetUser(runtime: ElastiCacheRuntime, ref: UserRef, context: StepContext): void {
  runtime.stepUsers.get(context)?.delete(ref.userId);
}

/** The user as this step last saw it, or one DescribeUsers. */
export async function knownUser(
  runtime: ElastiCacheRuntime,
  ref: UserRef,
  context: StepContext,
): Promise<User | undefined> {
  const known = runtime.stepUsers.get(context)?.get(ref.userId);
  if (known) return known;
  const user = await runtime.controlPlane.findUser(ref, context.step);
  if (user) rememberUser(runtime, ref, user, context);
  return user;
}

/** A change to the user was just sent: what the step knew of it is stale, and the wait counts from now. */
export function changeIssued(runtime: ElastiCacheRuntime, ref: UserRef, context: StepContext): void {
  forgetUser(runtime, ref, context);
  runtime.changeStartedAt.set(ref.userId, Date.now());
}

/**
 * The user a secret names, refused unless its ARN lies in the function's partition, account and region:
 * a secret is not allowed to point the function's role at a user elsewhere. Checked before any call.
 */
export function userRef(secret: ElastiCacheSecret, context: StepContext): UserRef {
  assertArnInScope(secret.user_arn, context.functionScope, {
    label: '"user_arn"',
    service: 'elasticache',
    step: context.step,
  });
  const ref = parseUserArn(secret.user_arn);
  if (!ref) {
    throw new InvalidSecretError('"user_arn" is not an ElastiCache user ARN', { step: context.step });
  }
  return ref;
}

export function requireControlPlane(principal: Principal<ElastiCacheSecret>, context: StepContext): void {
  if (principal.kind !== 'control-plane') {
    throw new InvalidConfigurationError(
      `ElastiCache users are changed through the control plane under the function's IAM role, not as "${principal.kind}"`,
      { step: context.step },
    );
  }
}

/** The user behind a secret, checked to be the one its `username` names. */
export async function describeBound(
  runtime: ElastiCacheRuntime,
  secret: ElastiCacheSecret,
  context: StepContext,
): Promise<{ ref: UserRef; user: User }> {
  const ref = userRef(secret, context);
  const user = await knownUser(runtime, ref, context);
  if (!user) {
    throw new UserNotFoundError(
      `ElastiCache user id "${ref.userId}" (from user_arn) does not exist in ${ref.region}`,
      { step: context.step },
    );
  }
  if (user.UserName !== secret.username) {
    throw new InvalidSecretError(
      `user_arn names user id "${ref.userId}" whose user name is "${String(user.UserName)}", but the secret's username is "${secret.username}"`,
      { step: context.step },
    );
  }
  return { ref, user };
}

/** USER_NAME: when configured, the only user (and, with alternating users, its alternate) this function rotates. */
export function checkAllowedName(
  settings: ResolvedElastiCacheEngineOptions,
  username: string,
  context: StepContext,
): void {
  const configured = settings.userName;
  if (configured === undefined) return;
  const allowed = [configured];
  if (settings.acceptAlternateUserName) allowed.push(toggleAlternateSuffix(configured));
  if (!allowed.includes(username)) {
    throw new InvalidConfigurationError(
      `This function rotates only user ${allowed.map((name) => `"${name}"`).join(' or ')} (USER_NAME); the secret names "${username}"`,
      { step: context.step },
    );
  }
}

export function refuseIamUser(user: User, ref: UserRef, context: StepContext): void {
  if (user.Authentication?.Type === 'iam') {
    throw new InvalidConfigurationError(
      `ElastiCache user id "${ref.userId}" authenticates with IAM; rotating a password would change its authentication mode`,
      { step: context.step },
    );
  }
}

export function pollOptions(settings: ResolvedElastiCacheEngineOptions, description: string): PollOptions {
  return {
    description,
    initialDelayMs: Math.min(settings.initialPollDelayMs, settings.retryIntervalMs),
    factor: settings.pollFactor,
    maxDelayMs: settings.retryIntervalMs,
    // The configured maximum; the Lambda deadline bounds it too, through context.signal (which also makes
    // the timeout message say why).
    timeoutMs: settings.maxWaitingTimeMs,
  };
}

/**
 * Waits for the user to be `active` on the schedule of decision 0090. With `probe` (the secret whose
 * password the change set), AUTH at the trusted endpoints tells when the change reached the caches, and
 * only then, or at AWS's fixed interval, is the control plane asked; `active` there is what ends the wait.
 */
export async function waitUntilActive(
  runtime: ElastiCacheRuntime,
  ref: UserRef,
  context: StepContext,
  why: string,
  probe?: { secret: ElastiCacheSecret; password: string },
): Promise<User> {
  // This step saw it active and has not changed it since (a change forgets what the step knew).
  const known = runtime.stepUsers.get(context)?.get(ref.userId);
  if (known?.Status === ACTIVE) return known;
  const description = `ElastiCache user "${ref.userId}" to become active (${why})`;
  const startedAt = runtime.changeStartedAt.get(ref.userId);
  const probeFn = probe
    ? async (): Promise<'accepted' | 'not-yet' | 'unavailable'> => {
        const user = runtime.stepUsers.get(context)?.get(ref.userId) ?? runtime.lastSeenUsers.get(ref.userId);
        if (!user || isDisabled(user.AccessString)) return 'unavailable';
        try {
          const outcome = await runtime.loginTester.login(
            { secret: probe.secret, ref, user, password: probe.password },
            context,
          );
          if (outcome.status === 'accepted') return 'accepted';
          return outcome.status === 'rejected' ? 'not-yet' : 'unavailable';
        } catch (error) {
          // An endpoint that cannot be reached: the control plane alone decides (the login test after the
          // wait reports it). Anything else (a control-plane failure finding the caches, a refused route) is
          // what the step would meet anyway, and is not hidden.
          if (RotationError.isInstance(error) && error.code === 'ENGINE_UNAVAILABLE') return 'unavailable';
          throw error;
        }
      }
    : undefined;
  const result = await waitForActive({
    check: async () => {
      const user = await runtime.controlPlane.findUser(ref, context.step, context.signal);
      if (!user) {
        throw new UserNotFoundError(`ElastiCache user id "${ref.userId}" disappeared while ${why}`, {
          step: context.step,
        });
      }
      rememberUser(runtime, ref, user, context);
      return { active: user.Status === ACTIVE, user };
    },
    probe: probeFn,
    changeStartedAt: startedAt,
    expectedMs: runtime.timing.lastChangeMs,
    timeoutMs: runtime.settings.maxWaitingTimeMs,
    signal: context.signal,
    schedule: { ...DEFAULT_ACTIVE_WAIT_SCHEDULE, intervalMs: runtime.settings.retryIntervalMs },
  });
  if (result.status === 'active') {
    if (startedAt !== undefined) {
      runtime.timing.lastChangeMs = Date.now() - startedAt;
      runtime.changeStartedAt.delete(ref.userId);
    }
    context.logger.debug(
      `Waited ${result.waitedMs} ms for ${description}: ${result.checks} DescribeUsers, ${result.probes} AUTH probes`,
    );
    return result.user;
  }
  throw new StepTimeoutError(
    `Gave up waiting for ${description} after ${result.waitedMs} ms and ${result.checks} checks` +
      (result.deadline ? ' (the Lambda deadline is near)' : '') +
      '; the next invocation resumes from here',
    { step: context.step },
  );
}

export function waitUntilGroupActive(
  runtime: ElastiCacheRuntime,
  ref: UserRef,
  groupId: string,
  context: StepContext,
): Promise<'gone' | 'active'> {
  return pollUntil(
    async () => {
      const group = await runtime.controlPlane.findUserGroup(ref, groupId, context.step);
      if (!group) return 'gone' as const;
      return group.Status === ACTIVE ? ('active' as const) : undefined;
    },
    context,
    pollOptions(runtime.settings, `ElastiCache user group "${groupId}" to become active`),
  );
}

/** One or two passwords ElastiCache accepts, checked before anything is sent (never quoted). */
export function checkPasswords(passwords: readonly string[], context: StepContext): void {
  if (passwords.length < 1 || passwords.length > 2) {
    throw new InvalidConfigurationError(
      `ElastiCache users hold one or two passwords; asked to set ${passwords.length}`,
      { step: context.step },
    );
  }
  passwords.forEach((password, index) => {
    const problem = passwordProblem(password);
    if (problem) {
      throw new InvalidSecretError(
        `The ${index === 0 ? 'pending' : 'current'} password ${problem}; nothing was changed`,
        { step: context.step },
      );
    }
  });
}

/** The access string to apply: unchanged, or switched on when the operator asked for that. */
export function accessFor(
  settings: ResolvedElastiCacheEngineOptions,
  accessString: string | undefined,
): string | undefined {
  if (accessString === undefined) return undefined;
  return settings.enableDisabledUser && isDisabled(accessString) ? switchedOn(accessString) : accessString;
}

/** ModifyUser's authentication and access fields for a user about to hold `passwords`. */
export function modifyFields(
  settings: ResolvedElastiCacheEngineOptions,
  user: User,
  passwords: readonly string[],
  desiredAccess?: string,
): Omit<ModifyUserCommandInput, 'UserId'> {
  const input: Omit<ModifyUserCommandInput, 'UserId'> = { Passwords: [...passwords] };
  // A user created with --no-password must be told it now needs one.
  if (user.Authentication?.Type !== 'password') input.NoPasswordRequired = false;
  const access = accessFor(settings, desiredAccess ?? user.AccessString);
  if (access !== undefined && access !== user.AccessString) input.AccessString = access;
  return input;
}

/**
 * Whether an active user already holds exactly `passwords`: the control plane's PasswordCount matches
 * and every one of them logs in at the trusted endpoints. This is what lets a retried step, in a fresh
 * container that remembers nothing, resume without issuing the same ModifyUser twice. When it cannot be
 * proven (no cache admits the user, or none is reachable), the change is issued again (idempotent).
 */
export async function holdsExactly(
  runtime: ElastiCacheRuntime,
  secret: ElastiCacheSecret,
  ref: UserRef,
  user: User,
  passwords: readonly string[],
  context: StepContext,
): Promise<boolean> {
  if (user.Status !== ACTIVE || isDisabled(user.AccessString)) return false;
  if (user.Authentication?.Type !== 'password' || user.Authentication.PasswordCount !== passwords.length) {
    return false;
  }
  for (const password of passwords) {
    const outcome = await runtime.loginTester.login({ secret, ref, user, password }, context);
    if (outcome.status !== 'accepted') return false;
  }
  return true;
}

/** Identifies a set of passwords without keeping them: SHA-256 over the ordered list. */
export function fingerprint(passwords: readonly string[]): string {
  const hash = createHash('sha256');
  for (const password of passwords) hash.update(password).update('\0');
  return hash.digest('hex');
}
