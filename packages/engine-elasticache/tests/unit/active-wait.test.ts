import { describe, expect, it } from 'vitest';
import {
  type ActiveWaitSchedule,
  awsFixedIntervalChecks,
  CheckPlanner,
  DEFAULT_ACTIVE_WAIT_SCHEDULE,
  simulateChecks,
  waitForActive,
} from '../../src/active-wait.ts';

const DELAYS_S = [1, 2, 5, 10, 30, 60, 120];
const schedule = DEFAULT_ACTIVE_WAIT_SCHEDULE;
/** The wait begins this long after the change (the next step's invocation); AWS's first check is then. */
const STEP_GAP_MS = 50;

describe('CheckPlanner', () => {
  it('checks at once when the change is older than the wait (a resumed step)', () => {
    const planner = new CheckPlanner({ expectedMs: 30_000, changeStartKnown: false, probing: true });
    expect(planner.nextCheckAt()).toBe(0);
  });

  it('with an expectation and no probe, checks just after the expected end, then at 10 % gaps', () => {
    const planner = new CheckPlanner({ expectedMs: 30_000, changeStartKnown: true, probing: false });
    expect(planner.nextCheckAt()).toBe(30_000 + schedule.settleMs);
    planner.checked(30_050);
    expect(planner.nextCheckAt()).toBeCloseTo(30_050 + 3_005);
    planner.checked(33_055);
    // Capped at AWS's interval.
    const late = new CheckPlanner({ expectedMs: 200_000, changeStartKnown: true, probing: false });
    late.checked(200_050);
    expect(late.nextCheckAt()).toBe(200_050 + schedule.intervalMs);
  });

  it('without an expectation or probe, doubles the gap from the initial one up to the interval', () => {
    const planner = new CheckPlanner({ expectedMs: undefined, changeStartKnown: true, probing: false });
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const at = planner.nextCheckAt();
      times.push(at);
      planner.checked(at);
    }
    expect(times.slice(0, 4)).toEqual([200, 600, 1_400, 3_000]);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.max(...gaps)).toBe(schedule.intervalMs);
  });

  it('while probing, checks only at multiples of the interval until the probe succeeds, then confirms at once and at doubling gaps', () => {
    const planner = new CheckPlanner({ expectedMs: undefined, changeStartKnown: true, probing: true });
    expect(planner.nextCheckAt()).toBe(10_000);
    planner.checked(10_000);
    expect(planner.nextCheckAt()).toBe(20_000);
    planner.probeSucceeded(12_345);
    expect(planner.nextCheckAt()).toBe(12_345);
    planner.checked(12_345);
    expect(planner.nextCheckAt()).toBe(12_345 + schedule.minGapMs);
    planner.checked(12_595);
    expect(planner.nextCheckAt()).toBe(12_595 + 500);
  });

  it('falls back to the control-plane schedule when probing stops', () => {
    const planner = new CheckPlanner({ expectedMs: 5_000, changeStartKnown: true, probing: true });
    expect(planner.nextCheckAt()).toBe(10_000);
    planner.stopProbing();
    expect(planner.nextCheckAt()).toBe(5_000 + schedule.settleMs);
  });
});

describe('The schedule against AWS fixed 10 s interval (simulated)', () => {
  for (const seconds of DELAYS_S) {
    const duration = seconds * 1000;
    const aws = awsFixedIntervalChecks(duration, schedule.intervalMs, STEP_GAP_MS);
    const bound = Math.max(500, 0.1 * duration);

    it(`${seconds} s change, with a data-plane probe: no more checks than AWS, noticed within ${bound} ms`, () => {
      const checks = simulateChecks(duration, { probing: true });
      expect(checks.length).toBeLessThanOrEqual(aws.length);
      expect((checks.at(-1) as number) - duration).toBeLessThanOrEqual(bound);
    });

    it(`${seconds} s change, expected from the last one, no probe: no more checks than AWS, noticed within ${bound} ms`, () => {
      const checks = simulateChecks(duration, { expectedMs: duration });
      expect(checks.length).toBeLessThanOrEqual(aws.length);
      expect((checks.at(-1) as number) - duration).toBeLessThanOrEqual(bound);
    });
  }

  it('a change that takes twice as long as expected is still noticed within 10 % of its duration', () => {
    const checks = simulateChecks(60_000, { expectedMs: 30_000 });
    expect((checks.at(-1) as number) - 60_000).toBeLessThanOrEqual(6_000);
  });
});

describe('waitForActive', () => {
  /** A clock that only moves when the wait sleeps: the loop runs instantly and deterministically. */
  function virtualClock() {
    let now = 0;
    return {
      now: () => now,
      sleep: async (ms: number, signal: AbortSignal) => {
        if (signal.aborted) return false;
        now += ms;
        return true;
      },
      advance: (ms: number) => {
        now += ms;
      },
    };
  }
  const tiny: ActiveWaitSchedule = { ...schedule };

  it('ends on the control plane saying active after the probe succeeded, with one check', async () => {
    const clock = virtualClock();
    const result = await waitForActive({
      check: async () => ({ active: clock.now() >= 3_000, user: 'u' }),
      probe: async () => (clock.now() >= 3_000 ? 'accepted' : 'not-yet'),
      changeStartedAt: 0,
      expectedMs: undefined,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      schedule: tiny,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result).toMatchObject({ status: 'active', user: 'u', checks: 1 });
    expect(result.waitedMs - 3_000).toBeLessThanOrEqual(schedule.probeIntervalMs);
  });

  it('never ends on the probe alone: a control plane still modifying keeps it waiting', async () => {
    const clock = virtualClock();
    const result = await waitForActive({
      check: async () => ({ active: clock.now() >= 4_000, user: 'u' }),
      probe: async () => (clock.now() >= 1_000 ? 'accepted' : 'not-yet'),
      changeStartedAt: 0,
      expectedMs: undefined,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      schedule: tiny,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.status).toBe('active');
    expect(result.waitedMs).toBeGreaterThanOrEqual(4_000);
  });

  it('gives up at the configured maximum with one last check, and stops at once when the deadline aborts', async () => {
    const clock = virtualClock();
    let checks = 0;
    const result = await waitForActive({
      check: async () => {
        checks += 1;
        return { active: false, user: 'u' };
      },
      changeStartedAt: 0,
      expectedMs: undefined,
      timeoutMs: 25_000,
      signal: new AbortController().signal,
      schedule: tiny,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result).toMatchObject({ status: 'gave-up', deadline: false });
    expect(clock.now()).toBe(25_000);
    expect(checks).toBe(result.checks);

    const aborted = new AbortController();
    aborted.abort();
    const atDeadline = await waitForActive({
      check: async () => ({ active: false, user: 'u' }),
      changeStartedAt: undefined,
      expectedMs: undefined,
      timeoutMs: 25_000,
      signal: aborted.signal,
      schedule: tiny,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(atDeadline).toMatchObject({ status: 'gave-up', deadline: true, checks: 0 });
  });

  it('stops probing when the probe cannot tell, and waits on the control plane alone', async () => {
    const clock = virtualClock();
    let probes = 0;
    const result = await waitForActive({
      check: async () => ({ active: clock.now() >= 2_000, user: 'u' }),
      probe: async () => {
        probes += 1;
        return 'unavailable';
      },
      changeStartedAt: 0,
      expectedMs: 2_000,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      schedule: tiny,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(probes).toBe(1);
    expect(result).toMatchObject({ status: 'active', checks: 1 });
  });
});

describe('waitForActive and the deadline', () => {
  it('reports a check cut short by the deadline as giving up, and rethrows other failures', async () => {
    const controller = new AbortController();
    const result = await waitForActive({
      check: async () => {
        controller.abort();
        throw new Error('aborted by the deadline');
      },
      changeStartedAt: undefined,
      expectedMs: undefined,
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ status: 'gave-up', deadline: true, checks: 1 });
    await expect(
      waitForActive({
        check: async () => {
          throw new Error('UserNotFound');
        },
        changeStartedAt: undefined,
        expectedMs: undefined,
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('UserNotFound');
  });
});
