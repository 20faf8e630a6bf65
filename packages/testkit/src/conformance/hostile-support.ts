import type { RotationError, RotationErrorCode } from '@rotor/core';
import { type EngineSecret, toggleCloneSuffix } from '@rotor/core/engine';
import type { CheckContext } from './check-context.js';
import { check, describeError } from './check-context.js';
import type { ConformanceHarness } from './harness.js';
import { CheckNotApplicable, ConformanceFailure } from './types.js';

/** The step every kit call runs in (the testkit's stepContext default). */
export const KIT_STEP = 'setSecret';

export interface ExpectedFailure {
  /** Acceptable codes. */
  codes: readonly RotationErrorCode[];
  /** Whether a retry may succeed: a server that is down may come back, a wrong password will not. */
  retryable: boolean;
  what: string;
  /** When codes differ in retryability: the `retryable` each code must come with (overrides `retryable`). */
  retryableFromCode?: (code: RotationErrorCode) => boolean;
}

/**
 * Awaits an engine call that must fail with a RotationError of one of `codes`, with the right `retryable` and
 * the step it ran in: core decides from these whether Secrets Manager retries, so a wrong one is a real bug.
 */
export async function expectRotationFailure<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  operation: Promise<unknown>,
  expected: ExpectedFailure,
): Promise<RotationError> {
  const error = ctx.expectRotationError(
    await ctx.expectFailure(operation, expected.what),
    expected.codes,
    expected.what,
  );
  const retryable = expected.retryableFromCode?.(error.code) ?? expected.retryable;
  check(
    error.retryable === retryable,
    `${expected.what} should throw a ${retryable ? 'retryable' : 'non-retryable'} error, but ${error.code} came with retryable: ${error.retryable} (${error.message})`,
  );
  // Core names the step of an error that names none; one naming another step is wrong.
  check(
    error.step === undefined || error.step === KIT_STEP,
    `${expected.what}: the error names the step ${String(error.step)}, but it happened in ${KIT_STEP}`,
  );
  return error;
}

/** A harness member a check needs; fails the check (naming it) when the target does not provide it. */
export function requireHarness<TSecret extends EngineSecret, K extends keyof ConformanceHarness<TSecret>>(
  ctx: CheckContext<TSecret>,
  key: K,
  why: string,
): NonNullable<ConformanceHarness<TSecret>[K]> {
  const value = ctx.target.harness?.[key];
  check(value !== undefined, `the target must provide harness.${String(key)} for this check: ${why}`);
  return value as NonNullable<ConformanceHarness<TSecret>[K]>;
}

export function notApplicable(reason: string): never {
  throw new CheckNotApplicable(reason);
}

/** Only engines that change users with credentials (an admin secret) have admin checks. */
export function requireCredentialsEngine<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  what: string,
): void {
  if (ctx.capabilities.changeAuthority !== 'credentials') {
    notApplicable(
      `${what} applies to engines that change users with credentials (this one uses its control plane)`,
    );
  }
}

/**
 * Whether `password` logs in as `username` on a target, where a target that cannot even try (a password no
 * client can send: empty, NUL) counts as refused. Only for passwords outside the policy.
 */
export async function logsInWithOddPassword(
  canLogin: (username: string, password: string) => Promise<boolean>,
  username: string,
  password: string,
): Promise<boolean> {
  try {
    return await canLogin(username, password);
  } catch (error) {
    if (error instanceof ConformanceFailure) throw error;
    return false;
  }
}

/** The clone of `source` the engine would make (its alternateUser rule, or the `_clone` toggle). */
export function cloneOf<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  source: TSecret,
  password: string,
): TSecret {
  const engine = ctx.engine;
  const fields = (engine.canCloneUsers ? engine.alternateUser?.({ user: source }).fields : undefined) ?? {
    username: toggleCloneSuffix(source.username),
  };
  return { ...source, ...fields, password } as TSecret;
}

/** The keys of a secret that say where its user lives (all but username, password and engine). */
export function locationKeys<TSecret extends EngineSecret>(ctx: CheckContext<TSecret>): string[] {
  return Object.keys(ctx.secretFor('conformance_location_probe', 'x')).filter(
    (key) => key !== 'username' && key !== 'password' && key !== 'engine',
  );
}

export { describeError };
