/**
 * The ground floor of the conformance suite: what it runs against and how a check fails. Imports nothing of
 * the suite, so types.ts and check-context.ts both build on it without importing each other in a circle.
 */
import type { EngineSecret } from '@rotor/core/engine';
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

/** Thrown by a check when the engine breaks a rule; the message says which rule and what was seen. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/** Thrown by a check that cannot apply to this engine (by its capabilities); the check is reported skipped. */
export class CheckNotApplicable extends Error {
  override readonly name = 'CheckNotApplicable';
}
