import { StepTimeoutError } from '@rotor/core/errors';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/engine/poll.ts';
import { silentLogger } from '../../src/logger.ts';
import { createDeadline } from '../../src/protocol/deadline.ts';

const context = (signal: AbortSignal) => ({ signal, step: 'setSecret' as const, logger: silentLogger });

describe('createDeadline', () => {
  it('aborts the margin before the Lambda deadline', async () => {
    const deadline = createDeadline({ getRemainingTimeInMillis: () => 80 }, 50);
    expect(deadline.remainingTimeMs()).toBeLessThanOrEqual(30);
    expect(deadline.signal.aborted).toBe(false);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect(deadline.remainingTimeMs()).toBe(0);
    deadline.dispose();
  });

  it('has no deadline outside Lambda', () => {
    const deadline = createDeadline(undefined, 5000);
    expect(deadline.remainingTimeMs()).toBe(Number.POSITIVE_INFINITY);
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('pollUntil', () => {
  it('returns the first defined result, backing off between checks up to the cap', async () => {
    const checkedAt: number[] = [];
    const result = await pollUntil(
      async () => {
        checkedAt.push(Date.now());
        return checkedAt.length === 5 ? 'active' : undefined;
      },
      context(new AbortController().signal),
      { description: 'test', initialDelayMs: 10, factor: 2, maxDelayMs: 25 },
    );
    expect(result).toBe('active');
    const gaps = checkedAt.slice(1).map((at, i) => at - checkedAt[i]!);
    // 10, 20, 25 (capped), 25 (capped); timers may fire a little late, never early.
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(24);
    expect(gaps[3]).toBeGreaterThanOrEqual(24);
    expect(Math.max(...gaps)).toBeLessThan(25 + 200);
  });

  it('stops promptly when the deadline aborts, with a retryable StepTimeoutError', async () => {
    const controller = new AbortController();
    let checks = 0;
    setTimeout(() => controller.abort(), 30);
    const startedAt = Date.now();
    const error = await pollUntil(
      async () => {
        checks += 1;
        return undefined;
      },
      context(controller.signal),
      { description: 'user "app" to become active', initialDelayMs: 10_000 },
    ).catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(StepTimeoutError);
    expect(error).toMatchObject({ code: 'STEP_TIMEOUT', retryable: true, step: 'setSecret' });
    expect((error as Error).message).toMatch(/deadline is near.*next invocation resumes/);
    expect(checks).toBe(1);
  });

  it('gives up after its own timeout even with time left', async () => {
    const error = await pollUntil(async () => undefined, context(new AbortController().signal), {
      description: 'never',
      initialDelayMs: 5,
      timeoutMs: 40,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StepTimeoutError);
    expect((error as Error).message).not.toMatch(/deadline/);
  });

  it('does not check at all once the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let checks = 0;
    await expect(
      pollUntil(
        async () => {
          checks += 1;
          return 'x';
        },
        context(controller.signal),
        { description: 'x' },
      ),
    ).rejects.toBeInstanceOf(StepTimeoutError);
    expect(checks).toBe(0);
  });
});
