import { StepTimeoutError } from '../errors.js';
import type { StepContext } from './contract.js';

export interface PollOptions {
  /** First delay between checks. */
  initialDelayMs?: number;
  /** Delays grow by this factor... */
  factor?: number;
  /** ...up to this cap. */
  maxDelayMs?: number;
  /** Give up after this long even if the Lambda has time left. */
  timeoutMs?: number;
  /** What is being waited for, for logs and the timeout message. */
  description: string;
}

/**
 * Polls `check` with capped exponential backoff until it returns a value other than `undefined`.
 * Stops when `context.signal` aborts (the Lambda deadline is near) or after `timeoutMs`, throwing a
 * retryable StepTimeoutError: nothing has been half-done by waiting, so the next invocation resumes.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  context: Pick<StepContext, 'signal' | 'step' | 'logger'>,
  options: PollOptions,
): Promise<T> {
  const initialDelayMs = options.initialDelayMs ?? 250;
  const factor = options.factor ?? 1.5;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const startedAt = Date.now();
  const giveUpAt = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : startedAt + options.timeoutMs;
  let delay = initialDelayMs;
  let attempts = 0;
  for (;;) {
    if (context.signal.aborted) break;
    attempts += 1;
    const result = await check();
    if (result !== undefined) return result;
    const remaining = giveUpAt - Date.now();
    if (remaining <= 0) break;
    const sleep = Math.min(delay, remaining);
    context.logger.debug(`Waiting ${sleep} ms for ${options.description} (attempt ${attempts})`);
    if (!(await sleepUnlessAborted(sleep, context.signal))) break;
    delay = Math.min(delay * factor, maxDelayMs);
  }
  const waited = Date.now() - startedAt;
  throw new StepTimeoutError(
    `Gave up waiting for ${options.description} after ${waited} ms and ${attempts} checks` +
      (context.signal.aborted ? ' (the Lambda deadline is near)' : '') +
      '; the next invocation resumes from here',
    { step: context.step },
  );
}

/** Waits `ms`, or less when `signal` aborts (the Lambda deadline): true when the whole time passed. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
