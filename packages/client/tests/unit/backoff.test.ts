import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from '../../src/backoff.ts';

const optionsArb = fc.record({
  baseDelayMs: fc.integer({ min: 0, max: 10_000 }),
  maxDelayMs: fc.integer({ min: 0, max: 300_000 }),
});

describe('backoffDelay (exponential, full jitter)', () => {
  it('stays within [0, min(max, base * 2^retry)] for any retry and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        optionsArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, options, r) => {
          const delay = backoffDelay(retry, options, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          const bound =
            options.baseDelayMs === 0 ? 0 : Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
          expect(delay).toBeLessThanOrEqual(bound);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('has ceilings that double from base and never pass max', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), optionsArb, (retry, options) => {
        const ceiling = backoffCeiling(retry, options);
        expect(ceiling).toBeLessThanOrEqual(options.maxDelayMs);
        expect(backoffCeiling(retry + 1, options)).toBeGreaterThanOrEqual(ceiling);
        if (options.baseDelayMs * 2 ** (retry + 1) <= options.maxDelayMs) {
          expect(backoffCeiling(retry + 1, options)).toBe(2 * ceiling);
        }
      }),
    );
  });

  it('is 0, not NaN, with a zero base at a huge retry count (found by the property above)', () => {
    expect(backoffDelay(2_000, { baseDelayMs: 0, maxDelayMs: 1_000 }, () => 0.5)).toBe(0);
  });

  it('spreads delays over the whole range (jitter is not a constant)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 5_000 };
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(799);
    expect(backoffDelay(10, options, () => 0.5)).toBe(2_500);
  });
});
