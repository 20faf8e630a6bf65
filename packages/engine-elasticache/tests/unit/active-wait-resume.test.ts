import { DescribeUsersCommand } from '@aws-sdk/client-elasticache';
import { EngineUnavailableError, InvalidSecretError, type LoginResult } from '@rotor/core/engine';
import { stepContext } from '@rotor/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ACTIVE_WAIT_SCHEDULE, simulateChecks, waitForActive } from '../../src/active-wait.ts';
import { ControlPlane } from '../../src/control-plane.ts';
import { resolveOptions } from '../../src/elasticache-options.ts';
import {
  changeIssued,
  containerMemory,
  type ElastiCacheRuntime,
  rememberUser,
  waitUntilActive,
} from '../../src/elasticache-users.ts';
import { parseUserArn } from '../../src/user-ids.ts';
import { arnOf, FakeElastiCache } from './support/fake-elasticache.ts';

const START = 1_000_000;
const PASSWORD = 'Pw-0123456789-abcdef';
const ON = 'on ~* +@all';
/** More checks than any schedule here makes: a wait past it is looping without sleeping. */
const TIGHT_LOOP = 50;

/**
 * A wait run against a clock that moves only when it sleeps, recording when (ms from the wait's start) it
 * checks and probes, and every sleep.
 */
function runWait(options: {
  changeStartedAt: number | undefined;
  expectedMs?: number;
  /** The control plane says active from this time on (ms from the wait's start). */
  activeFrom: number;
  /** The data plane accepts the new password from this time on; no probe when undefined. */
  acceptedFrom?: number;
}) {
  let now = START;
  const checks: number[] = [];
  const probes: number[] = [];
  const sleeps: number[] = [];
  const result = waitForActive({
    check: async () => {
      checks.push(now - START);
      if (checks.length > TIGHT_LOOP) throw new Error(`checked ${checks.length} times: ${checks.join(', ')}`);
      return { active: now - START >= options.activeFrom, user: 'u' };
    },
    probe:
      options.acceptedFrom === undefined
        ? undefined
        : async () => {
            probes.push(now - START);
            return now - START >= (options.acceptedFrom as number) ? 'accepted' : 'not-yet';
          },
    changeStartedAt: options.changeStartedAt,
    expectedMs: options.expectedMs,
    timeoutMs: 600_000,
    signal: new AbortController().signal,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      return true;
    },
  });
  return result.then((outcome) => ({ outcome, checks, probes, sleeps }));
}

describe('a resumed wait (the change was issued by an earlier invocation)', () => {
  it('looks at once, then backs off from the initial gap; every check after the first is preceded by a sleep', async () => {
    const { outcome, checks, sleeps } = await runWait({ changeStartedAt: undefined, activeFrom: 2_000 });
    expect(checks).toEqual([0, 200, 600, 1_400, 3_000]);
    expect(sleeps).toEqual([200, 400, 800, 1_600]);
    expect(outcome).toMatchObject({ status: 'active', checks: 5, waitedMs: 3_000 });
  });

  it('a change already done is found by the first look, whatever was expected', async () => {
    const { outcome, checks, sleeps } = await runWait({
      changeStartedAt: undefined,
      expectedMs: 30_000,
      activeFrom: 0,
    });
    expect(checks).toEqual([0]);
    expect(sleeps).toEqual([]);
    expect(outcome).toMatchObject({ status: 'active', checks: 1, waitedMs: 0 });
  });

  it('with a probe: looks at once, then probes and checks only at the interval until the probe sees the change', async () => {
    const { outcome, checks, probes } = await runWait({
      changeStartedAt: undefined,
      activeFrom: 2_500,
      acceptedFrom: 2_500,
    });
    expect(checks).toEqual([0, 2_600]);
    expect(probes).toEqual(
      Array.from({ length: 14 }, (_, i) => i * DEFAULT_ACTIVE_WAIT_SCHEDULE.probeIntervalMs),
    );
    expect(outcome).toMatchObject({ status: 'active', checks: 2, probes: 14 });
  });

  it('a change this invocation issued counts from the change, not from the start of the wait', async () => {
    // Issued 500 ms before the wait began: the first check (200 ms after the change) is due at once, and the
    // gaps double from there (1,000 then 2,000 ms), where a wait counting from its own start would check at 200.
    const { checks } = await runWait({ changeStartedAt: START - 500, activeFrom: 3_000 });
    expect(checks).toEqual([0, 1_000, 3_000]);
  });
});

describe('simulateChecks (the model the bench compares with AWS)', () => {
  it('follows a change longer than one interval: at each interval while probing, then once the probe sees it', () => {
    expect(simulateChecks(25_000, { probing: true })).toEqual([10_000, 20_000, 25_000]);
    expect(simulateChecks(5_000, {})).toEqual([200, 600, 1_400, 3_000, 6_200]);
    expect(simulateChecks(500, { changeStartKnown: false })).toEqual([0, 200, 600]);
    expect(simulateChecks(0, { changeStartKnown: false, probing: true })).toEqual([0]);
  });

  it('a probe and a check due at the same instant make one check there', () => {
    // Which of the two runs first at a tie does not change the checks (compared over 0-40 s of durations).
    expect(simulateChecks(10_000, { probing: true })).toEqual([10_000]);
    expect(simulateChecks(20_000, { probing: true })).toEqual([10_000, 20_000]);
  });
});

describe('waitUntilActive remembers how long a change took, for the next wait in this container', () => {
  const ref = parseUserArn(arnOf('user1'))!;
  let elasticache: FakeElastiCache;
  let runtime: ElastiCacheRuntime;
  /** When the current change was issued and when it is done (Date.now()). */
  let change = { at: 0, doneAt: 0 };
  let seen: number[] = [];
  /** The data plane's answer to the wait's probe, by ms since the change. */
  let probeAnswer: (sinceChange: number) => Promise<LoginResult> = async () => {
    throw new Error('no login in these waits');
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    elasticache = new FakeElastiCache();
    elasticache.mock.on(DescribeUsersCommand).callsFake(() => {
      seen.push(Date.now() - change.at);
      if (seen.length > TIGHT_LOOP) throw new Error(`checked ${seen.length} times: ${seen.join(', ')}`);
      const status = Date.now() >= change.doneAt ? 'active' : 'modifying';
      return { Users: [{ UserId: 'user1', UserName: 'user1', Status: status }] };
    });
    runtime = newContainer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function newContainer(): ElastiCacheRuntime {
    return {
      settings: resolveOptions({ client: elasticache.client }),
      controlPlane: new ControlPlane({ client: elasticache.client }),
      loginTester: {
        login: () => probeAnswer(Date.now() - change.at),
        checkSecretEndpoint: async () => {},
        forgetCaches: () => {},
      },
      ...containerMemory(),
    };
  }

  /** A change taking `durationMs`, issued by this container (or by an earlier one), and the wait for it. */
  async function waitForChange(
    durationMs: number,
    issuedHere: boolean,
    probe?: { accessString: string },
  ): Promise<number[]> {
    const context = stepContext({ step: 'testSecret' });
    change = { at: Date.now(), doneAt: Date.now() + durationMs };
    seen = [];
    if (probe) {
      // What the step saw before its change: where the probe may log in.
      const user = { UserId: 'user1', UserName: 'user1', Status: 'active', AccessString: probe.accessString };
      rememberUser(runtime, ref, user, context);
    }
    if (issuedHere) changeIssued(runtime, ref, context);
    const secret = { username: 'user1', user_arn: arnOf('user1'), password: PASSWORD };
    const waiting = waitUntilActive(
      runtime,
      ref,
      context,
      'the test',
      probe ? { secret, password: PASSWORD } : undefined,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(waiting).resolves.toMatchObject({ Status: 'active' });
    return [...seen];
  }

  it('the first wait backs off; the next one checks once, just after the time the first change took', async () => {
    expect(await waitForChange(3_000, true)).toEqual([200, 600, 1_400, 3_000]);
    expect(await waitForChange(3_000, true)).toEqual([3_000 + DEFAULT_ACTIVE_WAIT_SCHEDULE.settleMs]);
  });

  it('a resumed wait (no change issued here) looks at once and teaches nothing about how long changes take', async () => {
    expect(await waitForChange(0, false)).toEqual([0]);
    expect(await waitForChange(1_000, false)).toEqual([0, 200, 600, 1_400]);
    // Still no expectation: the schedule without one.
    expect(await waitForChange(3_000, true)).toEqual([200, 600, 1_400, 3_000]);
  });

  it('a probe that sees the new password makes the control plane be asked at once, and only then', async () => {
    probeAnswer = async (since) =>
      since >= 3_000 ? { status: 'accepted' } : { status: 'rejected', reason: 'WRONGPASS' };
    // The control plane lags the caches by 500 ms: confirmed at once, then at doubling gaps from 250 ms.
    expect(await waitForChange(3_500, true, { accessString: ON })).toEqual([3_000, 3_250, 3_750]);
    // Refused all along: the control plane alone, at AWS's interval.
    probeAnswer = async () => ({ status: 'rejected', reason: 'WRONGPASS' });
    runtime = newContainer();
    expect(await waitForChange(3_000, true, { accessString: ON })).toEqual([10_000]);
  });

  it.each([
    [
      'skipped (no route to the cache)',
      async () => ({ status: 'skipped', reason: 'cannot reach' }) as const,
      ON,
    ],
    [
      'disabled (no cache admits the user)',
      async () => ({ status: 'disabled', reason: 'nowhere' }) as const,
      ON,
    ],
    [
      'unreachable',
      async (): Promise<LoginResult> => {
        throw new EngineUnavailableError('connect ETIMEDOUT');
      },
      ON,
    ],
    ['for a user switched off', async () => ({ status: 'accepted' }) as const, 'off ~* +@all'],
  ])(
    'a probe that cannot tell (%s) leaves the control plane alone to decide',
    async (_label, answer, access) => {
      probeAnswer = answer;
      expect(await waitForChange(3_000, true, { accessString: access })).toEqual([200, 600, 1_400, 3_000]);
    },
  );

  it('a probe failing otherwise (a refused route) fails the wait: it is what the step would meet anyway', async () => {
    probeAnswer = async () => {
      throw new InvalidSecretError('not a trusted endpoint');
    };
    const context = stepContext({ step: 'testSecret' });
    rememberUser(
      runtime,
      ref,
      { UserId: 'user1', UserName: 'user1', Status: 'active', AccessString: ON },
      context,
    );
    changeIssued(runtime, ref, context);
    const secret = { username: 'user1', user_arn: arnOf('user1'), password: PASSWORD };
    await expect(
      waitUntilActive(runtime, ref, context, 'the test', { secret, password: PASSWORD }),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET' });
  });

  it('another container knows nothing of this one', async () => {
    expect(await waitForChange(3_000, true)).toEqual([200, 600, 1_400, 3_000]);
    runtime = newContainer();
    expect(await waitForChange(3_000, true)).toEqual([200, 600, 1_400, 3_000]);
  });
});
