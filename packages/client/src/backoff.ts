export interface BackoffOptions {
  /** The ceiling of the first delay. */
  baseDelayMs: number;
  /** No delay ceiling grows beyond this. */
  maxDelayMs: number;
}

/** The largest delay {@link backoffDelay} can return for the `retry`-th retry (0-based). */
export function backoffCeiling(retry: number, options: BackoffOptions): number {
  // The exponent is capped so that a zero base never meets 2^retry = Infinity (0 * Infinity is NaN).
  const exponent = Math.min(Math.max(0, retry), 52);
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base * 2^retry)). Full jitter spreads
 * the clients that failed together (every worker sees a rotation at the same moment), so their
 * retries do not arrive together again.
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(retry, options));
}
