/** The part of Lambda's context object Rotor uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
  /** The function's own ARN: its partition, region and account bound every ARN a secret may name. */
  invokedFunctionArn?: string;
}

export interface Deadline {
  signal: AbortSignal;
  remainingTimeMs(): number;
  dispose(): void;
}

/**
 * An AbortSignal that fires `marginMs` before the Lambda deadline, so waits stop in time to report a
 * retryable error instead of being killed mid-call. Without a Lambda context there is no deadline.
 */
export function createDeadline(context: LambdaContextLike | undefined, marginMs: number): Deadline {
  const controller = new AbortController();
  const remainingAtStart = context?.getRemainingTimeInMillis?.();
  if (remainingAtStart === undefined) {
    return { signal: controller.signal, remainingTimeMs: () => Number.POSITIVE_INFINITY, dispose() {} };
  }
  const abortAt = Date.now() + remainingAtStart - marginMs;
  const timer = setTimeout(
    () => controller.abort(new Error('Lambda deadline near')),
    Math.max(0, abortAt - Date.now()),
  );
  timer.unref?.();
  return {
    signal: controller.signal,
    remainingTimeMs: () => Math.max(0, abortAt - Date.now()),
    dispose: () => clearTimeout(timer),
  };
}
