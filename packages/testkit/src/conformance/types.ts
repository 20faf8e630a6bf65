import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import type { CheckContext } from './check-context.js';
import type { ConformanceTarget } from './target.js';

// Defined below this module (check-context.ts imports them without importing this one: no circle).
export { CheckNotApplicable, ConformanceFailure, type ConformanceTarget } from './target.js';

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
  'managed-admin',
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

/** One check: an id, what it proves, and the code that proves it. */
export interface ConformanceCheck {
  id: CheckId;
  title: string;
  run<TSecret extends EngineSecret>(
    ctx: CheckContext<TSecret>,
    options: EngineConformanceOptions<TSecret>,
  ): Promise<void>;
}
