/**
 * Waiting for an ElastiCache user to turn `active` after a change (decision 0090). The control plane's
 * `active` is what proves a change reached every cache, but each DescribeUsers is a throttled, per-account
 * API call; the data plane (AUTH with the new password at the trusted endpoints) costs no API call and tells
 * the moment the change reached the caches the function logs in at. So:
 *
 * - with a data-plane probe, the probe runs every `probeIntervalMs`, and the control plane is asked when the
 *   probe succeeds (then a few times closely, should `active` lag the caches), and otherwise only every
 *   `intervalMs` counted from the change (as AWS's function polls), so it never asks more often than AWS does
 *   and a change that fails or a user that disappears is still noticed;
 * - without one, the control plane is asked when the change is expected to be done (the duration this
 *   container last saw a change take), then at gaps of 10 % of the time waited (at least `minGapMs`, at most
 *   `intervalMs`); with no expectation, at gaps doubling from `initialGapMs` up to `intervalMs`.
 *
 * Time runs from the change (when this container issued it) or from the start of the wait (a resumed step:
 * the change is older than that, so the first check is at once).
 */
import { sleepUnlessAborted } from '@rotor/core/engine';

export interface ActiveWaitSchedule {
  /** The fixed gap AWS's function polls at; also the cap of every gap here. */
  intervalMs: number;
  /** First gap when nothing is known (no probe, no expectation). */
  initialGapMs: number;
  /** Smallest gap between two control-plane checks. */
  minGapMs: number;
  /** Between two data-plane probes. */
  probeIntervalMs: number;
  /** Checked this long after the expected end, so the change has had time to land. */
  settleMs: number;
}

export const DEFAULT_ACTIVE_WAIT_SCHEDULE: ActiveWaitSchedule = {
  intervalMs: 10_000,
  initialGapMs: 200,
  minGapMs: 250,
  probeIntervalMs: 200,
  settleMs: 50,
};

export interface CheckPlanOptions {
  /** How long a change took the last time this container saw one; undefined when unknown. */
  expectedMs: number | undefined;
  /** Whether the change was issued in this container, so time counts from it. */
  changeStartKnown: boolean;
  /** Whether a data-plane probe runs alongside. */
  probing: boolean;
}

/**
 * When to ask the control plane, as times since the change (or since the wait began, when the change is
 * older). Pure and timer-free, so the schedule is unit-tested and simulated by the bench without waiting.
 */
export class CheckPlanner {
  readonly #options: { -readonly [K in keyof CheckPlanOptions]: CheckPlanOptions[K] };
  readonly #schedule: ActiveWaitSchedule;
  #lastCheckAt: number | undefined;
  #lastGap: number | undefined;
  #confirming = false;

  constructor(options: CheckPlanOptions, schedule: ActiveWaitSchedule = DEFAULT_ACTIVE_WAIT_SCHEDULE) {
    this.#options = { ...options };
    this.#schedule = schedule;
  }

  /** The probe cannot tell (no route, unreachable): from now on the control plane alone decides. */
  stopProbing(): void {
    this.#options.probing = false;
  }

  get confirming(): boolean {
    return this.#confirming;
  }

  /** The time of the next check, given that the previous one (if any) found the user not yet active. */
  nextCheckAt(): number {
    const schedule = this.#schedule;
    const interval = Math.max(1, schedule.intervalMs);
    const last = this.#lastCheckAt;
    // A resumed wait (the change is older than this invocation) first looks at once: it may be done.
    if (last === undefined && !this.#options.changeStartKnown) return 0;
    if (this.#confirming) {
      // The probe saw the change: confirm at once, then at doubling gaps should `active` lag the caches.
      if (this.#lastGap === undefined || last === undefined) return last ?? 0;
      return last + Math.min(interval, Math.max(schedule.minGapMs, 2 * this.#lastGap));
    }
    if (this.#options.probing) {
      // Otherwise only at AWS's fixed interval, counted from the change.
      const from = last ?? 0;
      return (Math.floor(from / interval) + 1) * interval;
    }
    const expected = this.#options.expectedMs;
    if (expected !== undefined) {
      const expectedEnd = expected + schedule.settleMs;
      if (last === undefined || last < expectedEnd) return Math.max(last ?? 0, expectedEnd);
      return last + Math.min(interval, Math.max(schedule.minGapMs, 0.1 * last));
    }
    if (last === undefined) return Math.min(interval, schedule.initialGapMs);
    const gap = Math.min(interval, Math.max(schedule.initialGapMs, 2 * (this.#lastGap ?? last)));
    return last + gap;
  }

  /** Records a check made at `at` that found the user not active. */
  checked(at: number): void {
    if (this.#lastCheckAt !== undefined) this.#lastGap = at - this.#lastCheckAt;
    this.#lastCheckAt = at;
  }

  /** The probe found the new password accepted everywhere: the next check is now (at `at`). */
  probeSucceeded(at: number): void {
    if (this.#confirming) return;
    this.#confirming = true;
    this.#lastGap = undefined;
    // The next check is due at once: pretend the previous one was at `at`.
    this.#lastCheckAt = at;
  }
}

/**
 * Check times (ms from the change) the schedule makes for a change that takes `durationMs`, simulated
 * without timers: what the bench and the unit tests compare with AWS's fixed interval. With `probe`, the
 * probe sees the change at the first probe at or after `durationMs`.
 */
export function simulateChecks(
  durationMs: number,
  options: Partial<CheckPlanOptions>,
  schedule: ActiveWaitSchedule = DEFAULT_ACTIVE_WAIT_SCHEDULE,
): number[] {
  const planner = new CheckPlanner(
    {
      expectedMs: options.expectedMs,
      changeStartKnown: options.changeStartKnown ?? true,
      probing: options.probing ?? false,
    },
    schedule,
  );
  const checks: number[] = [];
  let nextProbe = options.probing ? 0 : Number.POSITIVE_INFINITY;
  for (let guard = 0; guard < 100_000; guard++) {
    const nextCheck = planner.nextCheckAt();
    if (!planner.confirming && nextProbe < nextCheck) {
      if (nextProbe >= durationMs) planner.probeSucceeded(nextProbe);
      nextProbe += schedule.probeIntervalMs;
      continue;
    }
    checks.push(nextCheck);
    if (nextCheck >= durationMs) return checks;
    planner.checked(nextCheck);
  }
  return checks;
}
/**
 * AWS's function: DescribeUsers at once, then every `intervalMs` until active (its fixed
 * WAITING_RETRY_INTERVAL_IN_SECONDS), for a change that takes `durationMs` and a wait that starts
 * `startDelayMs` after it.
 */
export function awsFixedIntervalChecks(durationMs: number, intervalMs: number, startDelayMs = 0): number[] {
  const checks: number[] = [];
  for (let at = startDelayMs; ; at += intervalMs) {
    checks.push(at);
    if (at >= durationMs) return checks;
  }
}

export interface WaitForActiveInput<TUser> {
  /** One DescribeUsers: the user, whose status says whether the change is done. */
  check(): Promise<{ active: boolean; user: TUser }>;
  /**
   * AUTH with the new password at the trusted endpoints: `accepted`, `not-yet`, or `unavailable` (no route,
   * unreachable, or an error: probing stops and the control plane alone decides).
   */
  probe?: (() => Promise<'accepted' | 'not-yet' | 'unavailable'>) | undefined;
  /** When this container issued the change (Date.now()), if it did. */
  changeStartedAt: number | undefined;
  expectedMs: number | undefined;
  /** Give up after this long (the configured maximum); the Lambda deadline is `signal`. */
  timeoutMs: number;
  signal: AbortSignal;
  schedule?: ActiveWaitSchedule;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<boolean>;
}

export type WaitForActiveResult<TUser> =
  | { status: 'active'; user: TUser; checks: number; probes: number; waitedMs: number }
  | { status: 'gave-up'; checks: number; probes: number; waitedMs: number; deadline: boolean };

/**
 * Runs the schedule: control-plane checks as CheckPlanner says, data-plane probes in between. Returns when
 * the control plane says `active` (never on the probe alone: `active` is what covers every node), or gives
 * up at `timeoutMs` or when `signal` aborts (the Lambda deadline), without sleeping past either.
 */
export async function waitForActive<TUser>(
  input: WaitForActiveInput<TUser>,
): Promise<WaitForActiveResult<TUser>> {
  const schedule = input.schedule ?? DEFAULT_ACTIVE_WAIT_SCHEDULE;
  const now = input.now ?? Date.now;
  const sleep = input.sleep ?? sleepUnlessAborted;
  const waitStartedAt = now();
  const origin = input.changeStartedAt ?? waitStartedAt;
  const giveUpAt = waitStartedAt + input.timeoutMs;
  let probing = input.probe !== undefined;
  const planner = new CheckPlanner(
    { expectedMs: input.expectedMs, changeStartKnown: input.changeStartedAt !== undefined, probing },
    schedule,
  );
  let nextProbeAt = probing ? waitStartedAt : Number.POSITIVE_INFINITY;
  let checks = 0;
  let probes = 0;
  const gaveUp = () => ({
    status: 'gave-up' as const,
    checks,
    probes,
    waitedMs: now() - waitStartedAt,
    deadline: input.signal.aborted,
  });
  for (;;) {
    if (input.signal.aborted) return gaveUp();
    const nextCheckAt = origin + planner.nextCheckAt();
    const probeFirst = probing && !planner.confirming && nextProbeAt < nextCheckAt;
    const due = probeFirst ? nextProbeAt : nextCheckAt;
    const wait = due - now();
    if (wait > 0) {
      if (due > giveUpAt) {
        // Nothing more fits before the configured maximum: one last look at the end.
        if (!(await sleep(Math.max(0, giveUpAt - now()), input.signal))) return gaveUp();
        checks += 1;
        const last = await input.check();
        if (last.active)
          return { status: 'active', user: last.user, checks, probes, waitedMs: now() - waitStartedAt };
        return gaveUp();
      }
      if (!(await sleep(wait, input.signal))) return gaveUp();
    }
    if (probeFirst && input.probe) {
      probes += 1;
      let outcome: 'accepted' | 'not-yet' | 'unavailable';
      try {
        outcome = await input.probe();
      } catch (error) {
        if (input.signal.aborted) return gaveUp();
        throw error;
      }
      if (outcome === 'accepted') planner.probeSucceeded(now() - origin);
      else if (outcome === 'unavailable') probing = false;
      nextProbeAt = now() + schedule.probeIntervalMs;
      if (!probing) planner.stopProbing();
      continue;
    }
    checks += 1;
    let result: { active: boolean; user: TUser };
    try {
      result = await input.check();
    } catch (error) {
      // A check cut short by the deadline is a timeout (retryable), not a failure of the control plane.
      if (input.signal.aborted) return gaveUp();
      throw error;
    }
    if (result.active)
      return { status: 'active', user: result.user, checks, probes, waitedMs: now() - waitStartedAt };
    planner.checked(now() - origin);
    if (now() >= giveUpAt) return gaveUp();
  }
}
