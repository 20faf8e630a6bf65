import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent, percentile, summarize } from '../../src/report/stats.js';

describe('percentile (nearest rank)', () => {
  it('returns measured values only', () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it('takes p95 of 100 values as the 95th smallest, whatever the input order', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
  });

  it('gives p0 as the minimum and handles a single value', () => {
    expect(percentile([3, 1, 2], 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
  });

  it('is undefined for no values and rejects percentiles outside 0-100', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('summarizes count, min, max, mean, p50 and p95', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(summarize(values)).toEqual({ count: 20, min: 10, p50: 100, p95: 190, max: 200, mean: 105 });
  });

  it('is all undefined for no values', () => {
    expect(summarize([])).toEqual({
      count: 0,
      min: undefined,
      p50: undefined,
      p95: undefined,
      max: undefined,
      mean: undefined,
    });
  });
});

describe('formatting', () => {
  it.each([
    [undefined, '-'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    [1234, '1.23 s'],
    [125_000, '2m 05s'],
  ])('formats %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formats percentages and 0/0', () => {
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(0, 0)).toBe('-');
  });
});
