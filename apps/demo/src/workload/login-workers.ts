/**
 * Client workers that keep logging in while rotations run: each worker loops "open a fresh connection, run a
 * query, close", so every attempt reads credentials and authenticates anew, as a new application instance
 * or a connection-pool refill would.
 */

/** One login attempt; throws when it fails. */
export type LoginAttempt = (signal: AbortSignal) => Promise<void>;

export interface LoginStats {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Failure counts by a short reason (e.g. `WRONGPASS`, `28P01`), to show why logins failed. */
  failuresByReason: Record<string, number>;
}

export interface LoginWorkers {
  /** Counts since start (or the last `reset`). */
  stats(): LoginStats;
  /** Starts a new count (e.g. per scenario) and returns the one that ended. */
  reset(): LoginStats;
  stop(): Promise<LoginStats>;
}

export interface LoginWorkerOptions {
  workers: number;
  attempt: LoginAttempt;
  /** Pause between one worker's attempts. */
  intervalMs: number;
  /** Reduces an error to a short reason for the failure counts. */
  classify?: (error: unknown) => string;
  /** Called on each failure (for progress output); never given secret material. */
  onFailure?: (reason: string) => void;
}

export function emptyStats(): LoginStats {
  return { attempted: 0, succeeded: 0, failed: 0, failuresByReason: {} };
}

export function addStats(a: LoginStats, b: LoginStats): LoginStats {
  const failuresByReason = { ...a.failuresByReason };
  for (const [reason, n] of Object.entries(b.failuresByReason)) {
    failuresByReason[reason] = (failuresByReason[reason] ?? 0) + n;
  }
  return {
    attempted: a.attempted + b.attempted,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    failuresByReason,
  };
}

export function startLoginWorkers(options: LoginWorkerOptions): LoginWorkers {
  if (!(options.workers >= 1)) throw new RangeError('workers must be at least 1');
  const controller = new AbortController();
  let stats = emptyStats();
  const classify = options.classify ?? defaultClassify;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (controller.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', done);
        resolve();
      }
      controller.signal.addEventListener('abort', done, { once: true });
    });

  const loop = async () => {
    while (!controller.signal.aborted) {
      const current = stats;
      try {
        await options.attempt(controller.signal);
        // An attempt cut short by stop() is not counted either way.
        if (controller.signal.aborted) break;
        current.attempted += 1;
        current.succeeded += 1;
      } catch (error) {
        if (controller.signal.aborted) break;
        const reason = classify(error);
        current.attempted += 1;
        current.failed += 1;
        current.failuresByReason[reason] = (current.failuresByReason[reason] ?? 0) + 1;
        options.onFailure?.(reason);
      }
      await sleep(options.intervalMs);
    }
  };
  const running = Array.from({ length: options.workers }, () => loop());

  return {
    stats: () => structuredClone(stats),
    reset() {
      const ended = stats;
      stats = emptyStats();
      return structuredClone(ended);
    },
    async stop() {
      controller.abort();
      await Promise.all(running);
      return structuredClone(stats);
    },
  };
}

/** A driver's error code (`28P01`, `ECONNREFUSED`) or the first word of its message (`WRONGPASS`). */
export function defaultClassify(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') {
      const first = message.trim().split(/[\s:]/, 1)[0];
      if (first) return first.slice(0, 40);
    }
  }
  return 'error';
}
