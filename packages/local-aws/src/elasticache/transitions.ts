/**
 * ElastiCache's asynchronous status changes: operations and applied changes run one at a time (each reads
 * and writes both the state and Redis), and a change applies after `delayMs`, staying transitional
 * (`modifying`, `creating`, `deleting`) until Redis took it.
 */
import type { LocalAwsLogger } from '../logger.js';

/** How long to wait before retrying an ACL change that Redis did not take (e.g. Redis restarting). */
const APPLY_RETRY_MS = 500;

export interface Transitions {
  /** Runs `work` after every operation and change queued before it. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `change` now when there is no delay, otherwise after the delay; a change Redis refuses is retried
   * rather than reported done. `applied` is called after each change that took.
   */
  transition(label: string, change: () => Promise<void>): Promise<void>;
  /** Resolves once every pending change has been applied. */
  settled(): Promise<void>;
  close(): void;
}

export function createTransitions(options: {
  delayMs: number;
  logger: LocalAwsLogger;
  applied: () => void;
}): Transitions {
  const { delayMs, logger } = options;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  async function transition(label: string, change: () => Promise<void>): Promise<void> {
    const schedule = (wait: number) => {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (closed) return resolve();
          exclusive(change).then(
            () => {
              options.applied();
              resolve();
            },
            (error: unknown) => {
              retryLater(error);
              resolve();
            },
          );
        }, wait);
        timers.add(timer);
      });
      inFlight.add(done);
      done.finally(() => inFlight.delete(done));
    };
    const retryLater = (error: unknown) => {
      logger.warn(`elasticache: applying ${label} failed; retrying`, {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!closed) schedule(APPLY_RETRY_MS);
    };
    if (delayMs > 0) return schedule(delayMs);
    // No delay: apply before answering, and keep retrying in the background if Redis refuses.
    try {
      await change();
    } catch (error) {
      retryLater(error);
    }
  }

  return {
    exclusive,
    transition,
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await exclusive(async () => undefined);
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      inFlight.clear();
    },
  };
}
