import { describe, expect, it } from 'vitest';
import {
  addStats,
  defaultClassify,
  emptyStats,
  startLoginWorkers,
} from '../../src/workload/login-workers.js';

const until = async (condition: () => boolean, timeoutMs = 2000) => {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('startLoginWorkers', () => {
  it('counts successes and failures by reason across workers until stopped', async () => {
    // Prepare: every third attempt is refused
    let calls = 0;
    const workers = startLoginWorkers({
      workers: 3,
      intervalMs: 1,
      attempt: async () => {
        calls += 1;
        if (calls % 3 === 0)
          throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      },
    });

    // Act
    await until(() => workers.stats().attempted >= 30);
    const stats = await workers.stop();

    // Assess
    expect(stats.attempted).toBe(stats.succeeded + stats.failed);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.failuresByReason).toEqual({ '28P01': stats.failed });
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(after);
  });

  it('reset starts a new count and returns the old one', async () => {
    const workers = startLoginWorkers({ workers: 1, intervalMs: 1, attempt: async () => {} });
    await until(() => workers.stats().attempted >= 5);
    const first = workers.reset();
    expect(first.attempted).toBeGreaterThanOrEqual(5);
    expect(workers.stats().attempted).toBeLessThan(first.attempted);
    await workers.stop();
  });

  it('does not count an attempt that stop() interrupted', async () => {
    const workers = startLoginWorkers({
      workers: 1,
      intervalMs: 1,
      attempt: (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    const stats = await workers.stop();
    expect(stats).toEqual(emptyStats());
  });

  it('rejects a pool without workers', () => {
    expect(() => startLoginWorkers({ workers: 0, intervalMs: 1, attempt: async () => {} })).toThrow(
      RangeError,
    );
  });
});

describe('defaultClassify and addStats', () => {
  it('uses the driver code, else the first word of the message', () => {
    expect(defaultClassify(Object.assign(new Error('x'), { code: '28P01' }))).toBe('28P01');
    expect(defaultClassify(new Error('WRONGPASS invalid username-password pair'))).toBe('WRONGPASS');
    expect(defaultClassify('boom')).toBe('error');
  });

  it('adds counts and reasons', () => {
    const a = { attempted: 3, succeeded: 2, failed: 1, failuresByReason: { WRONGPASS: 1 } };
    const b = { attempted: 2, succeeded: 0, failed: 2, failuresByReason: { WRONGPASS: 1, ECONNRESET: 1 } };
    expect(addStats(a, b)).toEqual({
      attempted: 5,
      succeeded: 2,
      failed: 3,
      failuresByReason: { WRONGPASS: 2, ECONNRESET: 1 },
    });
  });
});
