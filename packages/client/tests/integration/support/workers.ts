/** Login workers for the rotation scenarios: each attempt opens a fresh connection and runs one command. */
export interface WorkerTally {
  attempts: number;
  failures: number;
  /** First line of each distinct failure, with its count (no secret material: server messages only). */
  errors: Record<string, number>;
  /** Milliseconds per successful attempt. */
  durations: number[];
  /** Failure windows: from the start of a failed attempt to the end of the next successful one (ms). */
  windows: number[];
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface WorkerGroup {
  readonly tally: WorkerTally;
  stop(): Promise<WorkerTally>;
}

/** Runs `count` loops of `attempt` until stopped; a short pause between attempts keeps CPU use modest. */
export function startWorkers(count: number, attempt: () => Promise<void>, pauseMs = 5): WorkerGroup {
  const tally: WorkerTally = { attempts: 0, failures: 0, errors: {}, durations: [], windows: [] };
  let running = true;
  const loop = async () => {
    let failingSince: number | undefined;
    while (running) {
      tally.attempts++;
      const started = performance.now();
      try {
        await attempt();
        const ended = performance.now();
        tally.durations.push(ended - started);
        if (failingSince !== undefined) tally.windows.push(ended - failingSince);
        failingSince = undefined;
      } catch (error) {
        failingSince ??= started;
        tally.failures++;
        const code = (error as { code?: unknown }).code;
        const key = `${typeof code === 'string' ? `${code} ` : ''}${String((error as Error).message ?? error)
          .split('\n')[0]
          ?.slice(0, 80)}`;
        tally.errors[key] = (tally.errors[key] ?? 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const loops = Array.from({ length: count }, loop);
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}
