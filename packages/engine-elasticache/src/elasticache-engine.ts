import { createHash } from 'node:crypto';
import type { ModifyUserCommandInput, User } from '@aws-sdk/client-elasticache';
import {
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginOutcome,
  type Principal,
  pollUntil,
  type RotationEngine,
  type StepContext,
  UserNotFoundError,
} from '@rotor/core/engine';
import { isDisabled, switchedOn } from './access-string.js';
import { ControlPlane } from './control-plane.js';
import { type ElastiCacheSecret, elastiCacheSecretSchema } from './elasticache-secret.js';
import { type ElastiCacheEngineOptions, resolveOptions } from './options.js';
import { elastiCachePasswordPolicy, passwordProblem } from './password-rules.js';
import { type DataPlaneEndpoint, redisLogin } from './redis-login.js';
import { isValidUserId, parseUserArn, toggleAlternateSuffix, type UserRef, userArn } from './user-ids.js';

export type ElastiCacheEngine = RotationEngine<ElastiCacheSecret>;

const ACTIVE = 'active';

/**
 * The ElastiCache (Redis OSS / Valkey) RBAC engine. Passwords change through the control plane
 * (ModifyUser / CreateUser / ModifyUserGroup) under the function's IAM role; changes are asynchronous
 * (`modifying` until applied) and testSecret logs in with AUTH when a cache endpoint is known.
 *
 * @example
 * ```ts
 * const engine = elastiCacheEngine({ passwordLength: 32, dataPlane: { host: 'master.my-cache.xxx.cache.amazonaws.com' } });
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
  /**
   * What this container has already asked ElastiCache to do, per user id: a hash of the passwords sent.
   * A retried step (same warm container) that finds the user `modifying` or `active` with this exact
   * change recorded does not issue it again. Hashes only, never the passwords.
   */
  const issuedChanges = new Map<string, string>();

  const userRef = (secret: ElastiCacheSecret): UserRef => {
    const ref = parseUserArn(secret.user_arn);
    if (!ref) throw new InvalidSecretError('"user_arn" is not an ElastiCache user ARN');
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
    const ref = userRef(secret);
    const user = await controlPlane.findUser(ref, context.step);
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

  const waitUntilActive = (ref: UserRef, context: StepContext, why: string) =>
    pollUntil(
      async () => {
        const user = await controlPlane.findUser(ref, context.step);
        if (!user) {
          throw new UserNotFoundError(`ElastiCache user id "${ref.userId}" disappeared while ${why}`, {
            step: context.step,
          });
        }
        return user.Status === ACTIVE ? user : undefined;
      },
      context,
      pollOptions(`ElastiCache user "${ref.userId}" to become active (${why})`),
    );

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
   * Whether an active user already holds exactly `passwords`, proven with AUTH on the data plane: its
   * password count matches and every one of them logs in. This is what lets a retried step, in a fresh
   * container that remembers nothing, resume without issuing the same ModifyUser twice. Without an
   * endpoint (or for a disabled user) it cannot be proven, and the change is issued again (idempotent).
   */
  const holdsExactly = async (
    secret: ElastiCacheSecret,
    user: User,
    passwords: readonly string[],
    context: StepContext,
  ): Promise<boolean> => {
    const endpoint = endpointFor(secret);
    if (!endpoint || user.Status !== ACTIVE || isDisabled(user.AccessString)) return false;
    if (user.Authentication?.Type !== 'password' || user.Authentication.PasswordCount !== passwords.length) {
      return false;
    }
    for (const password of passwords) {
      const outcome = await redisLogin({
        endpoint,
        username: secret.username,
        password,
        connectTimeoutMs: settings.dataPlane.connectTimeoutMs,
        signal: context.signal,
        step: context.step,
      });
      if (outcome.status !== 'accepted') return false;
    }
    return true;
  };

  const endpointFor = (secret: ElastiCacheSecret): DataPlaneEndpoint | undefined => {
    const host = secret.host ?? settings.dataPlane.host;
    if (!host) return undefined;
    const port = secret.port === undefined ? settings.dataPlane.port : Number(secret.port);
    const tls =
      secret.tls === undefined ? settings.dataPlane.tls : secret.tls === true || secret.tls === 'true';
    return { host, port, tls, rejectUnauthorized: settings.dataPlane.rejectUnauthorized };
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
    },

    async login(secret, context): Promise<LoginOutcome> {
      const ref = userRef(secret);
      const user = await controlPlane.findUser(ref, context.step);
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
          status: 'skipped',
          reason: `user "${secret.username}" is disabled (access string "off"); AUTH cannot succeed until it is switched on`,
        };
      }
      const endpoint = endpointFor(secret);
      if (!endpoint) {
        return {
          status: 'skipped',
          reason: 'no cache endpoint is configured (secret "host"/"port" or the engine\'s dataPlane.host)',
        };
      }
      return redisLogin({
        endpoint,
        username: secret.username,
        password: secret.password ?? '',
        connectTimeoutMs: settings.dataPlane.connectTimeoutMs,
        signal: context.signal,
        step: context.step,
      });
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
      if (fields.AccessString === undefined && (await holdsExactly(secret, user, passwords, context))) {
        issuedChanges.set(ref.userId, change);
        context.logger.info(
          `User "${ref.userId}" already holds exactly these ${passwords.length} password(s) (checked with AUTH); not issuing ModifyUser again`,
        );
        return;
      }
      await controlPlane.modifyUser(ref, { UserId: ref.userId, ...fields }, context.step);
      issuedChanges.set(ref.userId, change);
      context.logger.info(
        `ModifyUser issued for "${ref.userId}" with ${passwords.length} password(s)` +
          (fields.NoPasswordRequired === false ? ', switching it to password authentication' : '') +
          (fields.AccessString !== undefined ? ', switching it on' : ''),
      );
    },

    async waitUntilApplied({ user: secret }, context) {
      const ref = userRef(secret);
      const user = await waitUntilActive(ref, context, 'waiting for the change to apply');
      context.logger.info(`User "${ref.userId}" is active: the change has reached every associated cache`);
      if (user.UserName !== secret.username) {
        throw new InvalidSecretError(
          `User id "${ref.userId}" is named "${String(user.UserName)}", not "${secret.username}"`,
          { step: context.step },
        );
      }
    },

    alternateUser(current) {
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

    async cloneUser({ source, target, principal }, context) {
      requireControlPlane(principal, context);
      if (target.password === undefined) {
        throw new InvalidSecretError('The pending secret has no password', { step: context.step });
      }
      const password: string = target.password;
      checkPasswords([password], context);
      checkAllowedName(target.username, context);
      const { ref: sourceRef, user: sourceUser } = await describeBound(source, context);
      // The pending user must be exactly the alternate of the current one: a tampered AWSPENDING must not
      // redirect the change to another user (such as `default`).
      const targetRef = userRef(target);
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
      const change = fingerprint([password]);
      let targetUser = await controlPlane.findUser(targetRef, context.step);
      if (!targetUser) {
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
        if (created) {
          issuedChanges.set(targetRef.userId, change);
          context.logger.info(
            `Created user "${target.username}" (id "${targetRef.userId}") like "${source.username}"`,
          );
        }
        targetUser = await waitUntilActive(targetRef, context, 'after CreateUser');
        if (!created) targetUser = await updateClone(targetUser);
      } else {
        targetUser = await updateClone(targetUser);
      }

      async function updateClone(existing: User): Promise<User> {
        if (existing.UserName !== target.username) {
          throw new InvalidSecretError(
            `User id "${targetRef.userId}" exists but is named "${String(existing.UserName)}", not "${target.username}"`,
            { step: context.step },
          );
        }
        if (existing.Engine && sourceUser.Engine && existing.Engine !== sourceUser.Engine) {
          throw new InvalidConfigurationError(
            `User "${target.username}" runs engine ${existing.Engine} but "${source.username}" runs ${sourceUser.Engine}`,
            { step: context.step },
          );
        }
        refuseIamUser(existing, targetRef, context);
        if (issuedChanges.get(targetRef.userId) === change) {
          context.logger.info(`The pending password was already sent for "${targetRef.userId}"; not again`);
          return existing;
        }
        let current = existing;
        if (current.Status !== ACTIVE)
          current = await waitUntilActive(targetRef, context, 'before ModifyUser');
        // Keep the pair alike: the clone gets the source's access string again on every rotation.
        const fields = modifyFields(current, [password], sourceUser.AccessString);
        if (fields.AccessString === undefined && (await holdsExactly(target, current, [password], context))) {
          issuedChanges.set(targetRef.userId, change);
          context.logger.info(
            `Alternate user "${targetRef.userId}" already holds the pending password; not again`,
          );
          return current;
        }
        await controlPlane.modifyUser(targetRef, { UserId: targetRef.userId, ...fields }, context.step);
        issuedChanges.set(targetRef.userId, change);
        context.logger.info(
          `ModifyUser issued for alternate user "${targetRef.userId}"` +
            (fields.AccessString !== undefined ? ' (access string synchronised)' : ''),
        );
        return current;
      }

      // Same membership: every group that holds the source must hold the clone.
      const groupIds = sourceUser.UserGroupIds ?? [];
      const touched: string[] = [];
      for (const groupId of groupIds) {
        const group = await controlPlane.findUserGroup(sourceRef, groupId, context.step);
        if (!group) continue;
        const members = (group.UserIds ?? []).map((id) => id.toLowerCase());
        const pendingAdds = (group.PendingChanges?.UserIdsToAdd ?? []).map((id) => id.toLowerCase());
        if (members.includes(targetRef.userId) || pendingAdds.includes(targetRef.userId)) continue;
        if (group.Status !== ACTIVE) await waitUntilGroupActive(sourceRef, groupId, context);
        await controlPlane.addUserToGroup(targetRef, groupId, context.step);
        touched.push(groupId);
        context.logger.info(`Added "${targetRef.userId}" to user group "${groupId}"`);
      }
      for (const groupId of groupIds) await waitUntilGroupActive(sourceRef, groupId, context);
      if (touched.length > 0 || targetUser.Status !== ACTIVE) {
        await waitUntilActive(targetRef, context, 'after joining its user groups');
      }
    },
  });
}

/** Identifies a set of passwords without keeping them: SHA-256 over the ordered list. */
function fingerprint(passwords: readonly string[]): string {
  const hash = createHash('sha256');
  for (const password of passwords) hash.update(password).update('\0');
  return hash.digest('hex');
}
