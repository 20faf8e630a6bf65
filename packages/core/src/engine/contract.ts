/**
 * The engine contract, version 1: the whole surface between Rotor's core and an engine.
 *
 * Core owns the Secrets Manager protocol (events, stages, idempotent createSecret, finishSecret) and the
 * strategies. An engine owns only what is specific to its target: the secret's shape, the password
 * rules, and four operations on users (log in, set passwords, clone, wait until a change has applied).
 *
 * Rule of three: a new member joins this contract only once three engines need it. Anything
 * engine-specific belongs in the engine factory's options.
 */
import type { z } from 'zod';
import type { RotorLogger } from '../logger.js';
import type { FunctionScope } from '../protocol/function-scope.js';
import type { RotationStep } from '../vocabulary.js';

export const ENGINE_CONTRACT_VERSION = 1 as const;
export type EngineContractVersion = typeof ENGINE_CONTRACT_VERSION;

export const STRATEGY_IDS = ['single-user', 'dual-password', 'alternating-users'] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

/**
 * Every engine's secret has at least a username and (after the first rotation) a password.
 * `masterarn` names the admin secret used by the alternating-users strategy, as AWS's own functions do.
 * Engines' schemas must keep unknown keys (`.passthrough()` / `z.looseObject`), so that fields such as
 * `dbClusterIdentifier` survive every rotation.
 */
export interface EngineSecret {
  username: string;
  password?: string | undefined;
  masterarn?: string | undefined;
  [key: string]: unknown;
}

/** Which characters a generated password may contain; core's generator and GetRandomPassword both obey it. */
export interface PasswordPolicy {
  /** Length of generated passwords. */
  length: number;
  /** The target's own limits; `length` must lie between them. */
  minLength: number;
  maxLength: number;
  /** Characters never to use (in addition to the classes excluded below). */
  excludeCharacters: string;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  includeSpace: boolean;
  /** At least one character from each class that is not excluded. */
  requireEachIncludedType: boolean;
}

export interface EngineCapabilities {
  /** How many passwords a user may hold at once: 2 enables the dual-password strategy. */
  maxPasswordsPerUser: 1 | 2;
  /** Whether the engine can create a second user like the first (alternating-users). */
  canCloneUsers: boolean;
  /** Whether changes apply asynchronously; if so core calls `waitUntilApplied` before testing. */
  asyncChanges: boolean;
  /**
   * Who authorizes a password change:
   * - `credentials`: a database login (the user itself, or the admin secret named by `masterarn`);
   * - `control-plane`: a management API authorized by the function's IAM role (no login needed).
   */
  changeAuthority: 'credentials' | 'control-plane';
}

/** The admin secret behind `masterarn`, read by core and handed to the engine as it is stored. */
export interface AdminSecret {
  secretId: string;
  /** The AWSCURRENT value, parsed as JSON but not validated: the engine validates it. */
  value: Record<string, unknown>;
  /** The secret's tags (service-linked admin secrets carry their cluster or namespace ARN here). */
  tags: Record<string, string>;
}

/** On whose authority a change is made. */
export type Principal<TSecret extends EngineSecret> =
  /** The user changes its own password, logged in with these (working) credentials. */
  | { kind: 'self'; secret: TSecret }
  /** An administrator named by `masterarn`. */
  | { kind: 'admin'; admin: AdminSecret }
  /** The engine's control plane (IAM role); only for engines with `changeAuthority: 'control-plane'`. */
  | { kind: 'control-plane' };

export type LoginOutcome =
  | { status: 'accepted' }
  /** The target refused these credentials (wrong password, user missing). */
  | { status: 'rejected'; reason: string }
  /**
   * The target lets this user log in nowhere, by design (switched off, or in no group that any cache or
   * database admits), so no client can depend on its password and a login would prove nothing. The
   * engine must have learnt this from state it trusts (the control plane), never from the secret.
   */
  | { status: 'disabled'; reason: string }
  /**
   * The engine cannot log in from here (no data-plane route). testSecret fails on it unless the function
   * runs with the login test turned off (`loginTest: 'off'`, ROTOR_LOGIN_TEST=off), which logs a warning.
   */
  | { status: 'skipped'; reason: string };

export interface StepContext {
  readonly step: RotationStep;
  readonly secretId: string;
  readonly clientRequestToken: string;
  /** Already scrubs known secret values; still, never pass a password to it. */
  readonly logger: RotorLogger;
  /** Aborts shortly before the Lambda deadline: stop waiting and throw a retryable StepTimeoutError. */
  readonly signal: AbortSignal;
  /** Milliseconds left before `signal` aborts. */
  remainingTimeMs(): number;
  /**
   * The partition, region and account the function runs in (from its own ARN). Every ARN a secret names
   * must lie inside it: check with `assertArnInScope`.
   */
  readonly functionScope: FunctionScope | undefined;
}

export interface SetPasswordsInput<TSecret extends EngineSecret> {
  /** The secret of the user to change (its `username` and any engine fields that locate it). */
  user: TSecret;
  /** The complete list of passwords the user must accept afterwards, newest first (1 or 2). */
  passwords: readonly string[];
  principal: Principal<TSecret>;
}

export interface CloneUserInput<TSecret extends EngineSecret> {
  /** The user to copy (the AWSCURRENT secret). */
  source: TSecret;
  /** The user to create or update (the AWSPENDING secret: other username, new password). */
  target: TSecret;
  principal: Principal<TSecret>;
}

export interface WaitInput<TSecret extends EngineSecret> {
  user: TSecret;
}

/**
 * A rotation engine. Create one with `defineEngine`, usually from a factory that validates options:
 *
 * @example
 * ```ts
 * import { defineEngine, ENGINE_CONTRACT_VERSION } from '@rotor/core/engine';
 * export const myEngine = (options: MyOptions) => defineEngine({
 *   contractVersion: ENGINE_CONTRACT_VERSION,
 *   engineId: 'my-db',
 *   secretSchema: z.looseObject({ username: z.string(), password: z.string().optional(), host: z.string() }),
 *   passwordPolicy: { length: 32, minLength: 8, maxLength: 64, excludeCharacters: '"\'\\', ... },
 *   capabilities: { maxPasswordsPerUser: 1, canCloneUsers: false, asyncChanges: false, changeAuthority: 'credentials' },
 *   async login(user) { ... return { status: 'accepted' } },
 *   async setPasswords({ user, passwords, principal }) { ... },
 * });
 * ```
 */
export interface RotationEngine<TSecret extends EngineSecret = EngineSecret> {
  readonly contractVersion: EngineContractVersion;
  /** Short, stable id used in logs and errors: 'elasticache', 'redshift', ... */
  readonly engineId: string;
  /** Validates a secret value; must keep unknown keys. Core turns failures into InvalidSecretError. */
  readonly secretSchema: z.ZodType<TSecret>;
  readonly passwordPolicy: PasswordPolicy;
  readonly capabilities: EngineCapabilities;

  /**
   * Checks before anything is written, in createSecret and setSecret: the user exists, the secret is
   * the one this function may rotate, ... Throw a RotationError (UserNotFoundError, InvalidSecretError).
   */
  preflight?(input: { secret: TSecret }, context: StepContext): Promise<void>;

  /** Logs in as `user.username` with `user.password`. Rejections are an outcome, not an error. */
  login(user: TSecret, context: StepContext): Promise<LoginOutcome>;

  /**
   * Makes `user` accept exactly `passwords` (newest first). Idempotent in the strict sense the testkit
   * checks: repeating the identical call succeeds and leaves the same state, even when the principal is
   * the user itself and the first call just replaced the password it logged in with (a step retried
   * while an asynchronous change is still applying can repeat the call).
   */
  setPasswords(input: SetPasswordsInput<TSecret>, context: StepContext): Promise<void>;

  /**
   * Alternating users: makes `target.username` a user like `source.username` that logs in with
   * `target.password`. Creates it when missing (copying what the engine can copy), otherwise sets
   * its password. Idempotent. Required when `capabilities.canCloneUsers`.
   */
  cloneUser?(input: CloneUserInput<TSecret>, context: StepContext): Promise<void>;

  /**
   * The secret fields of the other user in alternating-users (default: the `username` toggles a
   * `_clone` suffix). Engines with naming rules, or fields that identify the user, override it.
   */
  alternateUser?(current: TSecret): Partial<TSecret>;

  /**
   * Waits until an asynchronous change to `user` has applied (polling with backoff). Must stop when
   * `context.signal` aborts and throw a retryable StepTimeoutError. Required when `capabilities.asyncChanges`.
   */
  waitUntilApplied?(input: WaitInput<TSecret>, context: StepContext): Promise<void>;
}
