/**
 * How Rotor's AWS SDK clients retry (decision 0095). A rotation window starts many rotations at once, and the
 * control-plane APIs they call are throttled per account: a throttled request is retried with the SDK's own
 * full-jitter exponential backoff (a random delay below base x 2^retry, capped), but for as long as the Lambda
 * invocation has time left, not for a fixed count of attempts. A fixed count gives up after a few seconds,
 * while a storm of N rotations needs about N / rate seconds to get through a bucket; the next attempt of a
 * whole rotation (Secrets Manager's retry) would only add to the storm. Retrying stops before a delay would run
 * past the deadline (less the handler's margin), so the step still fails in time with a retryable error.
 * Other transient errors (timeouts, resets, 5xx the SDK deems transient) keep a count of attempts, as the
 * SDK's standard mode does; anything else is not retried.
 *
 * The deadline belongs to the invocation, the SDK client to the container: the handler runs each step inside
 * `runWithinDeadline`, and the strategy reads the deadline of the invocation whose call it is retrying.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The part of the invocation's deadline the strategy reads. */
export interface RetryDeadline {
  /** Milliseconds left before the step must stop (the Lambda deadline less the handler's margin). */
  remainingTimeMs(): number;
}

/** What the SDK tells a retry strategy about a failed attempt (@smithy/types RetryErrorInfo). */
export interface SdkRetryErrorInfo {
  errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  retryAfterHint?: Date | undefined;
}

/** The token the SDK passes from attempt to attempt (@smithy/types RetryToken). */
export interface SdkRetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** The SDK's RetryStrategyV2, structurally (the SDK sleeps `getRetryDelay()`, cut short by an abort signal). */
export interface SdkRetryStrategy {
  readonly mode?: string;
  acquireInitialRetryToken(retryTokenScope: string): Promise<SdkRetryToken>;
  refreshRetryTokenForRetry(token: SdkRetryToken, errorInfo: SdkRetryErrorInfo): Promise<SdkRetryToken>;
  recordSuccess(token: SdkRetryToken): void;
}

export interface ThrottlingRetryOptions {
  /** Backoff ceiling of the first retry of a throttled request, doubling per retry (the SDK's: 1 s). */
  throttlingBaseMs?: number;
  /** Backoff ceiling of the first retry of a transient error, doubling per retry (the SDK's: 50 ms). */
  transientBaseMs?: number;
  /** No single delay is longer (the SDK's cap: 20 s). */
  maxDelayMs?: number;
  /**
   * Attempts of a call failing with transient errors, the first included: 6, as these clients had before
   * (the SDK's default is 3), so a connection reset while the endpoint restarts is ridden out as before.
   */
  maxTransientAttempts?: number;
  /**
   * How long throttled retries of one call may go on when no deadline is known (a call outside a rotation
   * step, or a handler invoked without a Lambda context).
   */
  budgetWithoutDeadlineMs?: number;
  random?: () => number;
  now?: () => number;
}

const currentDeadline = new AsyncLocalStorage<RetryDeadline>();

/**
 * Runs `run` with `deadline` as the limit of the throttled retries its SDK calls make. One storage for the
 * process (Node propagates every storage on every promise, so one per handler would cost O(handlers)).
 */
export function runWithinDeadline<T>(deadline: RetryDeadline, run: () => Promise<T>): Promise<T> {
  return currentDeadline.run(deadline, run);
}

class RetryToken implements SdkRetryToken {
  constructor(
    readonly count: number,
    readonly delay: number,
    /** When the call's first attempt was made: the start of its budget when there is no deadline. */
    readonly startedAt: number,
  ) {}

  getRetryCount(): number {
    return this.count;
  }

  getRetryDelay(): number {
    return this.delay;
  }
}

/** A retry strategy for an SDK client's `retryStrategy` option; stateless, so one per client or shared. */
export function throttlingRetryStrategy(options: ThrottlingRetryOptions = {}): SdkRetryStrategy {
  const throttlingBaseMs = options.throttlingBaseMs ?? 1_000;
  const transientBaseMs = options.transientBaseMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const maxTransientAttempts = options.maxTransientAttempts ?? 6;
  const budgetWithoutDeadlineMs = options.budgetWithoutDeadlineMs ?? 60_000;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  const remainingMs = (token: RetryToken): number => {
    const remaining = currentDeadline.getStore()?.remainingTimeMs();
    if (remaining !== undefined && Number.isFinite(remaining)) return remaining;
    return budgetWithoutDeadlineMs - (now() - token.startedAt);
  };

  return {
    mode: 'standard',
    async acquireInitialRetryToken() {
      return new RetryToken(0, 0, now());
    },
    async refreshRetryTokenForRetry(previous, errorInfo) {
      const token = previous as RetryToken;
      const throttled = errorInfo.errorType === 'THROTTLING';
      if (!throttled && errorInfo.errorType !== 'TRANSIENT') throw new Error('Not retryable');
      if (!throttled && token.count + 1 >= maxTransientAttempts) throw new Error('Out of attempts');
      const base = throttled ? throttlingBaseMs : transientBaseMs;
      // Full jitter: concurrent callers throttled together do not come back together.
      let delay = Math.floor(random() * Math.min(maxDelayMs, base * 2 ** token.count));
      const hint = errorInfo.retryAfterHint?.getTime();
      if (hint !== undefined) delay = Math.min(maxDelayMs, Math.max(delay, hint - now()));
      // The SDK rethrows the call's own error (throttling: retryable), in time for the step to report it.
      if (delay >= remainingMs(token)) throw new Error('No time left to retry');
      return new RetryToken(token.count + 1, delay, token.startedAt);
    },
    recordSuccess() {},
  };
}
