import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import type { CheckContext } from './check-context.js';
import type { ConformanceHarness } from './harness.js';

/**
 * A real (or faithfully faked) server the suite runs against, started by the author's `startTarget`.
 * Everything here works WITHOUT the engine under test: that is what makes the checks independent.
 */
export interface ConformanceTarget<TSecret extends EngineSecret> {
  /** The engine's secret for `username` on this target: connection fields plus username and password. */
  secretFor(username: string, password?: string): TSecret;
  /** Creates a user that logs in with `password`, through the server's own admin path (SQL, ACL SETUSER...). */
  createUser(username: string, password: string): Promise<void>;
  /** Logs in as `username` with `password` without the engine: true when accepted, false when refused. */
  canLogin(username: string, password: string): Promise<boolean>;
  /**
   * The admin secret value (what `masterarn` points to) for engines that change users with credentials.
   * Needed for `clone`, `missing-user` and `rotation-alternating-users` on such engines.
   */
  admin?: { value: Record<string, unknown>; tags?: Record<string, string> };
  /** Gives `username` what a clone must copy (memberships, ACL rules...). Called before `cloneUser`. */
  decorateCloneSource?(username: string): Promise<void>;
  /** What a clone must have in common with its source, as comparable data (compared with deep equality). */
  describeCloneable?(username: string): Promise<unknown>;
  /**
   * For engines with asynchronous changes: from now on changes stay pending until the returned function is
   * called, so the suite can abort a wait while it is really waiting.
   */
  holdChanges?(): Promise<() => Promise<void>>;
  /** What only the engine's test setup can arrange for the hostile checks (servers down, busy, elsewhere...). */
  harness?: ConformanceHarness<TSecret>;
  stop(): Promise<void>;
}

/** Checks that only apply to engines that claim a capability; the others always run. */
export const CAPABILITY_CHECK_IDS = [
  'clone',
  'wait-abort',
  'rotation-dual-password',
  'rotation-alternating-users',
] as const;
export type CapabilityCheckId = (typeof CAPABILITY_CHECK_IDS)[number];

export const CORE_CHECK_IDS = [
  'opt-outs',
  'contract',
  'exact-password',
  'previous-password',
  'idempotent',
  'missing-user',
  'no-secret-in-errors',
  'password-policy',
  'rotation-single-user',
] as const;
export type CoreCheckId = (typeof CORE_CHECK_IDS)[number];

/**
 * Checks with hostile input and a hostile environment (issue 19). They always run; one that cannot apply to an
 * engine (an admin at another host, for an engine without admin secrets) reports itself skipped, saying why.
 */
export const HOSTILE_CHECK_IDS = [
  'hostile-usernames',
  'bad-passwords',
  'staged-bad-password',
  'extra-passwords',
  'other-users-principal',
  'wrong-admin-password',
  'admin-elsewhere',
  'target-down',
  'target-busy',
  'untrusted-tls',
  'clone-halfway',
  'policy-promises',
] as const;
export type HostileCheckId = (typeof HOSTILE_CHECK_IDS)[number];
export type CheckId = CoreCheckId | CapabilityCheckId | HostileCheckId;

export interface EngineConformanceOptions<
  TSecret extends EngineSecret,
  TTarget extends ConformanceTarget<TSecret> = ConformanceTarget<TSecret>,
> {
  /** Shown in the describe block and in failures. */
  name: string;
  /** Starts the server the checks run against (first, so the engine can be configured from it). */
  startTarget(): Promise<TTarget>;
  /** A new engine, configured for the started target (its port, the function's own credentials...). */
  createEngine(target: TTarget): RotationEngine<TSecret> | Promise<RotationEngine<TSecret>>;
  /**
   * Named opt-outs, each with the reason, for checks of capabilities the engine does not claim:
   * `{ clone: 'users cannot be copied on this server' }`. Every capability check the engine does not
   * claim must be listed; listing one the engine claims fails the suite (the check runs anyway). A hostile
   * check (HOSTILE_CHECK_IDS) may be listed too, with the reason its harness member cannot be provided.
   */
  skip?: Partial<Record<CapabilityCheckId | HostileCheckId, string>>;
  /** How many generated passwords `password-policy` sets and logs in with (default 50). */
  policySamples?: number;
  /** Prefix of the users the suite creates (default `conf`): lower-case letters, digits, underscores. */
  usernamePrefix?: string;
  /** Time limit of one check in milliseconds (default 60 000). */
  checkTimeoutMs?: number;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** Why a check was skipped, or what failed. */
  reason?: string;
  error?: unknown;
  durationMs: number;
}

/** Thrown by a check when the engine breaks a rule; the message says which rule and what was seen. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/** Thrown by a check that cannot apply to this engine (by its capabilities); the check is reported skipped. */
export class CheckNotApplicable extends Error {
  override readonly name = 'CheckNotApplicable';
}

/** One check: an id, what it proves, and the code that proves it. */
export interface ConformanceCheck {
  id: CheckId;
  title: string;
  run<TSecret extends EngineSecret>(
    ctx: CheckContext<TSecret>,
    options: EngineConformanceOptions<TSecret>,
  ): Promise<void>;
}
