import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ModifyUserCommandInput, User } from '@aws-sdk/client-elasticache';
import {
  assertArnInScope,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginOutcome,
  type Principal,
  pollUntil,
  type RotationEngine,
  RotationError,
  type StepContext,
  StepTimeoutError,
  UserNotFoundError,
} from '@rotor/core/engine';
import { isDisabled, switchedOn } from './access-string.js';
import { DEFAULT_ACTIVE_WAIT_SCHEDULE, waitForActive } from './active-wait.js';
import { ControlPlane } from './control-plane.js';
import { type ElastiCacheSecret, elastiCacheSecretSchema } from './elasticache-secret.js';
import { createLoginTester } from './login-test.js';
import { type ElastiCacheEngineOptions, resolveOptions } from './options.js';
import { elastiCachePasswordPolicy, passwordProblem } from './password-rules.js';
import { isValidUserId, parseUserArn, toggleAlternateSuffix, type UserRef, userArn } from './user-ids.js';

export type ElastiCacheEngine = RotationEngine<ElastiCacheSecret>;

const ACTIVE = 'active';

/**
 * The ElastiCache (Redis OSS / Valkey) RBAC engine. Passwords change through the control plane
 * (ModifyUser / CreateUser / ModifyUserGroup) under the function's IAM role; changes are asynchronous
 * (`modifying` until applied). Logins (testSecret, and every "already done" check) go only to trusted
 * endpoints: the configured one, or the caches whose user groups hold the user (decision 0035).
 *
 * @example
 * ```ts
 * const engine = elastiCacheEngine({ passwordLength: 32 });
 * export const handler = createRotationHandler({ engine, logger });
 * ```
 */
export function elastiCacheEngine(options: ElastiCacheEngineOptions = {}): ElastiCacheEngine {
  const settings = resolveOptions(options);
  const controlPlane = new ControlPlane({
    client: settings.client,
    region: settings.region,
    endpoint: settings.endpoint,
  });
  const { dataPlane } = settings;
  const loginTester = createLoginTester({
    controlPlane,
    configured:
      dataPlane.host === undefined
        ? undefined
        : { name: 'the configured cache', host: dataPlane.host, port: dataPlane.port, tls: dataPlane.tls },
    rejectUnauthorized: dataPlane.rejectUnauthorized,
    ca: readCertificates(dataPlane.caFile),
    connectTimeoutMs: dataPlane.connectTimeoutMs,
  });
  /**
   * What this container has already asked ElastiCache to do, per user id: a hash of the passwords sent.
   * A retried step (same warm container) that finds the user `modifying` or `active` with this exact
   * change recorded does not issue it again. Hashes only, never the passwords.
   */
  const issuedChanges = new Map<string, string>();
  /** When this container issued the latest change per user id (Date.now()): the wait's schedule counts from it. */
  const changeStartedAt = new Map<string, number>();
  /** How long the last change this container waited for took: when the next one is expected to be done. */
  let lastChangeMs: number | undefined;
  /**
   * DescribeUsers answers within one invocation (one StepContext), so a step's pre-checks, login tests and
   * change never ask twice for what the step already knows; forgotten when the step changes the user.
   */
  const stepUsers = new WeakMap<StepContext, Map<string, User>>();
  /** The latest answer per user id in this container: only to find where a wait's probe may log in. */
  const lastSeenUsers = new Map<string, User>();

  const rememberUser = (ref: UserRef, user: User, context: StepContext) => {
    const known = stepUsers.get(context) ?? new Map<string, User>();
    stepUsers.set(context, known);
    known.set(ref.userId, user);
    lastSeenUsers.delete(ref.userId);
    lastSeenUsers.set(ref.userId, user);
    if (lastSeenUsers.size > 256) lastSeenUsers.delete(lastSeenUsers.keys().next().value as string);
  };
  const forgetUser = (ref: UserRef, context: StepContext) => stepUsers.get(context)?.delete(ref.userId);
  /** The user as this step last saw it, or one DescribeUsers. */
  const knownUser = async (ref: UserRef, context: StepContext): Promise<User | undefined> => {
    const known = stepUsers.get(context)?.get(ref.userId);
    if (known) return known;
    const user = await controlPlane.findUser(ref, context.step);
    if (user) rememberUser(ref, user, context);
    return user;
  };
  const changeIssued = (ref: UserRef, context: StepContext) => {
    forgetUser(ref, context);
    changeStartedAt.set(ref.userId, Date.now());
  };

  /**
   * The user a secret names, refused unless its ARN lies in the function's partition, account and region:
   * a secret is not allowed to point the function's role at a user elsewhere. Checked before any call.
   */
  const userRef = (secret: ElastiCacheSecret, context: StepContext): UserRef => {
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
  };

  const requireControlPlane = (principal: Principal<ElastiCacheSecret>, context: StepContext) => {
    if (principal.kind !== 'control-plane') {
      throw new InvalidConfigurationError(
        `ElastiCache users are changed through the control plane under the function's IAM role, not as "${principal.kind}"`,
        { step: context.step },
      );
    }
  };

  /** The user behind a secret, checked to be the one its `username` names. */
  const describeBound = async (secret: ElastiCacheSecret, context: StepContext) => {
    const ref = userRef(secret, context);
    const user = await knownUser(ref, context);
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
  };

  const checkAllowedName = (username: string, context: StepContext) => {
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
  };

  const refuseIamUser = (user: User, ref: UserRef, context: StepContext) => {
    if (user.Authentication?.Type === 'iam') {
      throw new InvalidConfigurationError(
        `ElastiCache user id "${ref.userId}" authenticates with IAM; rotating a password would change its authentication mode`,
        { step: context.step },
      );
    }
  };

  /**
   * Waits for the user to be `active` on the schedule of decision 0090. With `probe` (the secret whose
   * password the change set), AUTH at the trusted endpoints tells when the change reached the caches, and
   * only then, or at AWS's fixed interval, is the control plane asked; `active` there is what ends the wait.
   */
  const waitUntilActive = async (
    ref: UserRef,
    context: StepContext,
    why: string,
    probe?: { secret: ElastiCacheSecret; password: string },
  ): Promise<User> => {
    // This step saw it active and has not changed it since (a change forgets what the step knew).
    const known = stepUsers.get(context)?.get(ref.userId);
    if (known?.Status === ACTIVE) return known;
    const description = `ElastiCache user "${ref.userId}" to become active (${why})`;
    const startedAt = changeStartedAt.get(ref.userId);
    const probeFn = probe
      ? async (): Promise<'accepted' | 'not-yet' | 'unavailable'> => {
          const user = stepUsers.get(context)?.get(ref.userId) ?? lastSeenUsers.get(ref.userId);
          if (!user || isDisabled(user.AccessString)) return 'unavailable';
          try {
            const outcome = await loginTester.login(
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
        const user = await controlPlane.findUser(ref, context.step, context.signal);
        if (!user) {
          throw new UserNotFoundError(`ElastiCache user id "${ref.userId}" disappeared while ${why}`, {
            step: context.step,
          });
        }
        rememberUser(ref, user, context);
        return { active: user.Status === ACTIVE, user };
      },
      probe: probeFn,
      changeStartedAt: startedAt,
      expectedMs: lastChangeMs,
      timeoutMs: settings.maxWaitingTimeMs,
      signal: context.signal,
      schedule: { ...DEFAULT_ACTIVE_WAIT_SCHEDULE, intervalMs: settings.retryIntervalMs },
    });
    if (result.status === 'active') {
      if (startedAt !== undefined) {
        lastChangeMs = Date.now() - startedAt;
        changeStartedAt.delete(ref.userId);
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
  };

  const waitUntilGroupActive = (ref: UserRef, groupId: string, context: StepContext) =>
    pollUntil(
      async () => {
        const group = await controlPlane.findUserGroup(ref, groupId, context.step);
        if (!group) return 'gone';
        return group.Status === ACTIVE ? 'active' : undefined;
      },
      context,
      pollOptions(`ElastiCache user group "${groupId}" to become active`),
    );

  const pollOptions = (description: string) => ({
    description,
    initialDelayMs: Math.min(settings.initialPollDelayMs, settings.retryIntervalMs),
    factor: settings.pollFactor,
    maxDelayMs: settings.retryIntervalMs,
    // The configured maximum; the Lambda deadline bounds it too, through context.signal (which also makes
    // the timeout message say why).
    timeoutMs: settings.maxWaitingTimeMs,
  });

  const checkPasswords = (passwords: readonly string[], context: StepContext) => {
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
  };

  /** ModifyUser's authentication and access fields for a user about to hold `passwords`. */
  const modifyFields = (user: User, passwords: readonly string[], desiredAccess?: string) => {
    const input: Omit<ModifyUserCommandInput, 'UserId'> = { Passwords: [...passwords] };
    // A user created with --no-password must be told it now needs one.
    if (user.Authentication?.Type !== 'password') input.NoPasswordRequired = false;
    const access = accessFor(desiredAccess ?? user.AccessString);
    if (access !== undefined && access !== user.AccessString) input.AccessString = access;
    return input;
  };

  /** The access string to apply: unchanged, or switched on when the operator asked for that. */
  const accessFor = (accessString: string | undefined) => {
    if (accessString === undefined) return undefined;
    return settings.enableDisabledUser && isDisabled(accessString) ? switchedOn(accessString) : accessString;
  };

  /**
   * Whether an active user already holds exactly `passwords`: the control plane's PasswordCount matches
   * and every one of them logs in at the trusted endpoints. This is what lets a retried step, in a fresh
   * container that remembers nothing, resume without issuing the same ModifyUser twice. When it cannot be
   * proven (no cache admits the user, or none is reachable), the change is issued again (idempotent).
   */
  const holdsExactly = async (
    secret: ElastiCacheSecret,
    ref: UserRef,
    user: User,
    passwords: readonly string[],
    context: StepContext,
  ): Promise<boolean> => {
    if (user.Status !== ACTIVE || isDisabled(user.AccessString)) return false;
    if (user.Authentication?.Type !== 'password' || user.Authentication.PasswordCount !== passwords.length) {
      return false;
    }
    for (const password of passwords) {
      const outcome = await loginTester.login({ secret, ref, user, password }, context);
      if (outcome.status !== 'accepted') return false;
    }
    return true;
  };

  return defineEngine<ElastiCacheSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'elasticache',
    secretSchema: elastiCacheSecretSchema,
    passwordPolicy: elastiCachePasswordPolicy(settings.passwordLength, settings.excludeCharacters),
    capabilities: {
      maxPasswordsPerUser: 2,
      canCloneUsers: true,
      asyncChanges: true,
      changeAuthority: 'control-plane',
    },

    async preflight({ secret }, context) {
      if (settings.secretArn !== undefined && context.secretId !== settings.secretArn) {
        throw new InvalidConfigurationError(
          `This function rotates only secret ${settings.secretArn} (SECRET_ARN); it was invoked for ${context.secretId}`,
          { step: context.step },
        );
      }
      checkAllowedName(secret.username, context);
      const { ref, user } = await describeBound(secret, context);
      refuseIamUser(user, ref, context);
      // A secret steering logins elsewhere is refused here, before AWSPENDING is written.
      await loginTester.checkSecretEndpoint({ secret, ref, user }, context);
    },

    async login(secret, context): Promise<LoginOutcome> {
      const ref = userRef(secret, context);
      const user = await knownUser(ref, context);
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
      return loginTester.login({ secret, ref, user, password: secret.password ?? '' }, context);
    },

    async setPasswords({ user: secret, passwords, principal }, context) {
      requireControlPlane(principal, context);
      checkPasswords(passwords, context);
      checkAllowedName(secret.username, context);
      let { ref, user } = await describeBound(secret, context);
      refuseIamUser(user, ref, context);
      const change = fingerprint(passwords);
      if (issuedChanges.get(ref.userId) === change) {
        context.logger.info(
          `ModifyUser with these ${passwords.length} passwords was already issued for "${ref.userId}" (status ${String(user.Status)}); not issuing it again`,
        );
        return;
      }
      if (user.Status !== ACTIVE) {
        context.logger.info(`User "${ref.userId}" is ${String(user.Status)}; waiting for it to be active`);
        user = await waitUntilActive(ref, context, 'before ModifyUser');
      }
      const fields = modifyFields(user, passwords);
      if (fields.AccessString === undefined && (await holdsExactly(secret, ref, user, passwords, context))) {
        issuedChanges.set(ref.userId, change);
        context.logger.info(
          `User "${ref.userId}" already holds exactly these ${passwords.length} password(s) (control plane and AUTH at trusted endpoints); not issuing ModifyUser again`,
        );
        return;
      }
      await controlPlane.modifyUser(ref, { UserId: ref.userId, ...fields }, context.step);
      changeIssued(ref, context);
      issuedChanges.set(ref.userId, change);
      context.logger.info(
        `ModifyUser issued for "${ref.userId}" with ${passwords.length} password(s)` +
          (fields.NoPasswordRequired === false ? ', switching it to password authentication' : '') +
          (fields.AccessString !== undefined ? ', switching it on' : ''),
      );
    },

    async waitUntilApplied({ user: secret }, context) {
      const ref = userRef(secret, context);
      const user = await waitUntilActive(
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
    },

    alternateUser(current) {
      // Builds names only; every step checks the ARNs' scope before it calls anything.
      const ref = parseUserArn(current.user_arn);
      if (!ref) throw new InvalidSecretError('"user_arn" is not an ElastiCache user ARN');
      const alternateId = toggleAlternateSuffix(ref.userId);
      if (!isValidUserId(alternateId)) {
        throw new InvalidSecretError(
          `Cannot derive an alternate ElastiCache user id from "${ref.userId}": "${alternateId}" is not a valid user id`,
        );
      }
      return { username: toggleAlternateSuffix(current.username), user_arn: userArn(ref, alternateId) };
    },

    /**
     * Converges on the complete target state whatever happened before (a crash between any two calls):
     * the clone exists like the source (engine, access string), is in every user group of the source,
     * and holds exactly the pending password. Each part is checked from the control plane (and AUTH at
     * trusted endpoints) and only what is missing is done.
     */
    async cloneUser({ source, target, principal }, context) {
      requireControlPlane(principal, context);
      if (target.password === undefined) {
        throw new InvalidSecretError('The pending secret has no password', { step: context.step });
      }
      const password: string = target.password;
      checkPasswords([password], context);
      checkAllowedName(target.username, context);
      // Both ARNs in scope before any call; then the pending user must be exactly the alternate of the
      // current one, so a tampered AWSPENDING cannot redirect the change to another user (`default`).
      const targetRef = userRef(target, context);
      const { ref: sourceRef, user: sourceUser } = await describeBound(source, context);
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

      const existing = await ensureCloneExists(targetRef, target, sourceUser, password, context);
      // An alternate id held by someone else is refused before the clone joins any group.
      if (existing) checkCloneIdentity(existing, targetRef, target, sourceUser, source, context);
      await ensureCloneMemberships(sourceRef, sourceUser, targetRef, context);
      const clone = await waitUntilActive(targetRef, context, 'before checking its password');
      checkCloneIdentity(clone, targetRef, target, sourceUser, source, context);
      await ensureClonePassword(targetRef, target, clone, sourceUser, password, context);
    },
  });

  /**
   * CreateUser with the pending password, unless the clone exists (a retry, or a concurrent run that won
   * the race). Returns the user that was already there, undefined when this call created it.
   */
  async function ensureCloneExists(
    targetRef: UserRef,
    target: ElastiCacheSecret,
    sourceUser: User,
    password: string,
    context: StepContext,
  ): Promise<User | undefined> {
    const existing = await knownUser(targetRef, context);
    if (existing) return existing;
    const created = await controlPlane.createUser(
      targetRef,
      {
        UserId: targetRef.userId,
        UserName: target.username,
        Engine: sourceUser.Engine ?? 'redis',
        AccessString: accessFor(sourceUser.AccessString) ?? 'off',
        Passwords: [password],
        NoPasswordRequired: false,
      },
      context.step,
    );
    if (!created) return controlPlane.findUser(targetRef, context.step);
    changeIssued(targetRef, context);
    issuedChanges.set(targetRef.userId, fingerprint([password]));
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
    sourceRef: UserRef,
    sourceUser: User,
    targetRef: UserRef,
    context: StepContext,
  ) {
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
        await waitUntilGroupActive(sourceRef, groupId, context);
        group = await controlPlane.findUserGroup(sourceRef, groupId, context.step);
        if (!group || holds()) continue;
      }
      await controlPlane.addUserToGroup(targetRef, groupId, context.step);
      forgetUser(targetRef, context);
      loginTester.forgetCaches();
      context.logger.info(`Added "${targetRef.userId}" to user group "${groupId}"`);
    }
    for (const groupId of groupIds) {
      if (!settled.has(groupId)) await waitUntilGroupActive(sourceRef, groupId, context);
    }
    const clone = await knownUser(targetRef, context);
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
  ) {
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

  /** The clone holds exactly the pending password and the source's access string; ModifyUser otherwise. */
  async function ensureClonePassword(
    targetRef: UserRef,
    target: ElastiCacheSecret,
    clone: User,
    sourceUser: User,
    password: string,
    context: StepContext,
  ) {
    const change = fingerprint([password]);
    // Keep the pair alike: the clone gets the source's access string again on every rotation.
    const fields = modifyFields(clone, [password], sourceUser.AccessString);
    if (fields.AccessString === undefined) {
      if (issuedChanges.get(targetRef.userId) === change) {
        context.logger.info(`The pending password was already sent for "${targetRef.userId}"; not again`);
        return;
      }
      if (await holdsExactly(target, targetRef, clone, [password], context)) {
        issuedChanges.set(targetRef.userId, change);
        context.logger.info(
          `Alternate user "${targetRef.userId}" already holds the pending password (control plane and AUTH at trusted endpoints); not again`,
        );
        return;
      }
    }
    await controlPlane.modifyUser(targetRef, { UserId: targetRef.userId, ...fields }, context.step);
    changeIssued(targetRef, context);
    issuedChanges.set(targetRef.userId, change);
    context.logger.info(
      `ModifyUser issued for alternate user "${targetRef.userId}"` +
        (fields.AccessString !== undefined ? ' (access string synchronised)' : ''),
    );
  }
}

/** The PEM certificates in `path`, read once at cold start; a missing file is a configuration error. */
function readCertificates(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigurationError(
      `Cannot read the cache CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** Identifies a set of passwords without keeping them: SHA-256 over the ordered list. */
function fingerprint(passwords: readonly string[]): string {
  const hash = createHash('sha256');
  for (const password of passwords) hash.update(password).update('\0');
  return hash.digest('hex');
}
