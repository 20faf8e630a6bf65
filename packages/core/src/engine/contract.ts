/**
 * The engine contract, version 2: the whole surface between Rotor's core and an engine
 * (docs/decisions/0100-engine-contract-v2.md).
 *
 * Core owns the Secrets Manager protocol (events, stages, idempotent createSecret, finishSecret) and the
 * strategies. An engine owns only what is specific to its target: the secret's shape, the password
 * rules, and a few operations on users. Every operation takes ONE request object and returns ONE result
 * object (as Vault's dbplugin v5 and the AI SDK's provider spec do), so a field can be added to either
 * later without breaking an engine.
 *
 * Capabilities are part of the type: an engine that declares `canCloneUsers: true` must provide
 * `cloneUser`, one that declares `asyncChanges: true` must provide `waitUntilApplied`, and tsc says so.
 *
 * Rule of three: a new member joins this contract only once three engines need it. Anything
 * engine-specific belongs in the engine factory's options.
 */
import type { z } from 'zod';
import type { RotorLogger } from '../logger.js';
import type { FunctionScope } from '../protocol/function-scope.js';
import type { RotationStep } from '../vocabulary.js';

export const ENGINE_CONTRACT_VERSION = 2 as const;
export type EngineContractVersion = typeof ENGINE_CONTRACT_VERSION;

export const STRATEGY_IDS = ['single-user', 'dual-password', 'alternating-users'] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

/**
 * Every engine's secret has at least a username and (after the first rotation) a password.
 * `masterarn` names the admin secret used by the alternating-users strategy, as AWS's own functions do.
 * Engines' schemas must keep unknown keys (`z.looseObject`), so that fields such as `dbClusterIdentifier`
 * survive every rotation.
 */
export interface EngineSecret {
  username: string;
  password?: string | undefined;
  masterarn?: string | undefined;
  [key: string]: unknown;
}

/**
 * Which characters a generated password may contain; core's generator and GetRandomPassword both obey it.
 * Build one with `definePasswordPolicy({ ... })`, which fills in the defaults and checks it.
 */
export interface PasswordPolicy {
  /** Length of generated passwords. */
  readonly length: number;
  /** The target's own limits; `length` must lie between them. */
  readonly minLength: number;
  readonly maxLength: number;
  /** Characters never to use (in addition to the classes excluded below). */
  readonly excludeCharacters: string;
  readonly excludeUppercase: boolean;
  readonly excludeLowercase: boolean;
  readonly excludeNumbers: boolean;
  readonly excludePunctuation: boolean;
  readonly includeSpace: boolean;
  /** At least one character from each class that is not excluded. */
  readonly requireEachIncludedType: boolean;
}

/** The admin secret behind `masterarn`, read by core and handed to the engine as it is stored. */
export interface AdminSecret {
  secretId: string;
  /** The AWSCURRENT value, parsed as JSON but not validated: the engine validates it. */
  value: Record<string, unknown>;
  /**
   * The secret's tags, read (DescribeSecret) on the first call and kept for the step: service-linked admin
   * secrets carry their cluster or namespace ARN here. Ask only when the value cannot say where the admin
   * belongs (it names no host): each rotation pays one Secrets Manager call for it (decision 0093).
   */
  readTags(): Promise<Readonly<Record<string, string>>>;
}

/** On whose authority a change is made. */
export type Principal<TSecret extends EngineSecret> =
  /** The user changes its own password, logged in with these (working) credentials. */
  | { kind: 'self'; secret: TSecret }
  /** An administrator named by `masterarn`. */
  | { kind: 'admin'; admin: AdminSecret }
  /** The engine's control plane (IAM role); only for engines with `changeAuthority: 'control-plane'`. */
  | { kind: 'control-plane' };

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

// ---- requests and results, one of each per operation ----

/** The request of the operations about one user: `preflight`, `login`, `waitUntilApplied`, `alternateUser`. */
export interface UserRequest<TSecret extends EngineSecret> {
  /** preflight, alternateUser: the AWSCURRENT secret; login: the credentials to try; waitUntilApplied: the changed user. */
  user: TSecret;
}

/** preflight: the secret may be rotated by this function (refusals are thrown as RotationErrors). */
export interface PreflightResult {
  status: 'ready';
}

export type LoginResult =
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

export interface SetPasswordsRequest<TSecret extends EngineSecret> {
  /** The secret of the user to change (its `username` and any engine fields that locate it). */
  user: TSecret;
  /** The complete list of passwords the user must accept afterwards, newest first (1, or 2 with `passwordsPerUser: 2`). */
  passwords: readonly string[];
  principal: Principal<TSecret>;
}

export interface CloneUserRequest<TSecret extends EngineSecret> {
  /** The user to copy (the AWSCURRENT secret). */
  source: TSecret;
  /** The user to create or update (the AWSPENDING secret: other username, new password). */
  target: TSecret;
  principal: Principal<TSecret>;
}

/**
 * What a write did: `created` the user (cloneUser), `changed` it, or found it `unchanged` (already in the
 * state asked for: a retried step).
 */
export interface ChangeResult {
  status: 'created' | 'changed' | 'unchanged';
}

export interface AlternateUserResult<TSecret extends EngineSecret> {
  /** The AWSPENDING fields that name the other user (at least `username`). */
  fields: Partial<TSecret>;
}

/** waitUntilApplied: the change has reached the target (a timeout is a thrown StepTimeoutError). */
export interface WaitResult {
  status: 'applied';
}

// ---- the engine ----

/** What every engine has, whatever it can do. */
export interface EngineBase<TSecret extends EngineSecret> {
  readonly contractVersion: EngineContractVersion;
  /** Short, stable id used in logs and errors: 'elasticache', 'redshift', ... */
  readonly engineId: string;
  /** Validates a secret value; must keep unknown keys. Core turns failures into InvalidSecretError. */
  readonly secretSchema: z.ZodType<TSecret>;
  /** Build it with `definePasswordPolicy`. */
  readonly passwordPolicy: PasswordPolicy;
  /** How many passwords a user may hold at once: 2 enables the dual-password strategy. */
  readonly passwordsPerUser: 1 | 2;
  /**
   * Who authorizes a password change:
   * - `credentials`: a database login (the user itself, or the admin secret named by `masterarn`);
   * - `control-plane`: a management API authorized by the function's IAM role (no login needed).
   */
  readonly changeAuthority: 'credentials' | 'control-plane';

  /**
   * Checks before anything is written, in createSecret and setSecret: the user exists, the secret is
   * the one this function may rotate, ... Throw a RotationError (UserNotFoundError, InvalidSecretError).
   */
  preflight?(request: UserRequest<TSecret>, context: StepContext): Promise<PreflightResult>;

  /** Logs in as `user.username` with `user.password`. Rejections are a result, not an error. */
  login(request: UserRequest<TSecret>, context: StepContext): Promise<LoginResult>;

  /**
   * Makes `user` accept exactly `passwords` (newest first). Idempotent in the strict sense the testkit
   * checks: repeating the identical call succeeds and leaves the same state, even when the principal is
   * the user itself and the first call just replaced the password it logged in with (a step retried
   * while an asynchronous change is still applying can repeat the call).
   */
  setPasswords(request: SetPasswordsRequest<TSecret>, context: StepContext): Promise<ChangeResult>;
}

/** Alternating users: the engine can make a second user like the first. */
export interface CloningEngine<TSecret extends EngineSecret> {
  readonly canCloneUsers: true;
  /**
   * Makes `target.username` a user like `source.username` that logs in with `target.password`. Creates it
   * when missing (copying what the engine can copy), otherwise sets its password. Idempotent.
   */
  cloneUser(request: CloneUserRequest<TSecret>, context: StepContext): Promise<ChangeResult>;
  /**
   * The secret fields of the other user (default: the `username` toggles a `_clone` suffix). Engines with
   * naming rules, or fields that identify the user, override it.
   */
  alternateUser?(request: UserRequest<TSecret>): AlternateUserResult<TSecret>;
}

export interface NonCloningEngine {
  readonly canCloneUsers: false;
  readonly cloneUser?: undefined;
  readonly alternateUser?: undefined;
}

/** Changes apply asynchronously (a control plane's `modifying` state): core waits before testing. */
export interface AsyncEngine<TSecret extends EngineSecret> {
  readonly asyncChanges: true;
  /**
   * Waits until an asynchronous change to `user` has applied (polling with backoff, `pollUntil`). Must stop
   * when `context.signal` aborts and throw a retryable StepTimeoutError.
   */
  waitUntilApplied(request: UserRequest<TSecret>, context: StepContext): Promise<WaitResult>;
}

export interface SyncEngine {
  readonly asyncChanges: false;
  readonly waitUntilApplied?: undefined;
}

/**
 * A rotation engine: the base, plus one side of each capability. Create one with `defineEngine`, usually
 * from a factory that validates its options with `parseOptions`:
 *
 * @example
 * ```ts
 * import { defineEngine, definePasswordPolicy, ENGINE_CONTRACT_VERSION } from '@rotor/core/engine';
 * export const myEngine = (options: MyOptions) => defineEngine({
 *   contractVersion: ENGINE_CONTRACT_VERSION,
 *   engineId: 'my-db',
 *   secretSchema: z.looseObject({ username: z.string(), password: z.string().optional(), host: z.string() }),
 *   passwordPolicy: definePasswordPolicy({ maxLength: 64, excludeCharacters: '"\'\\/@:' }),
 *   passwordsPerUser: 1,
 *   changeAuthority: 'credentials',
 *   canCloneUsers: false,
 *   asyncChanges: false,
 *   async login({ user }) { ... return { status: 'accepted' } },
 *   async setPasswords({ user, passwords, principal }) { ... return { status: 'changed' } },
 * });
 * ```
 */
export type RotationEngine<TSecret extends EngineSecret = EngineSecret> = EngineBase<TSecret> &
  (CloningEngine<TSecret> | NonCloningEngine) &
  (AsyncEngine<TSecret> | SyncEngine);
