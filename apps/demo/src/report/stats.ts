/**
 * Percentiles and summaries for the demo's and the bench's measurements.
 */

/**
 * The nearest-rank percentile (the smallest value with at least p% of the values at or below it): always a
 * value that was measured, never an interpolation. `undefined` for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Summary {
  count: number;
  min: number | undefined;
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  mean: number | undefined;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    return { count: 0, min: undefined, p50: undefined, p95: undefined, max: undefined, mean: undefined };
  }
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return {
    count: values.length,
    min,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max,
    mean: sum / values.length,
  };
}

/** 850 ms, 1.23 s, 2m 05s; '-' when there is nothing. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
}

/** A ratio as a percentage with one decimal; '-' for 0/0. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '-';
  return `${((part / whole) * 100).toFixed(1)}%`;
}
