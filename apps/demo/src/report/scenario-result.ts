import { formatDuration, formatPercent, summarize } from './stats.js';
import { renderTable } from './table.js';

/** What one scenario (one engine with one strategy) measured. */
export interface ScenarioResult {
  engine: string;
  strategy: string;
  rotationsRequested: number;
  /** Wall time of each rotation that finished: RotateSecret until AWSCURRENT moved. */
  rotationMs: number[];
  rotationsFailed: number;
  /** Logins of the demo's client (Rotor's) while the rotations ran. */
  logins: { attempted: number; failed: number };
  /** Every client kind's logins, with failure reasons (the bench compares `rotor` with `naive`). */
  clients?: Record<string, { attempted: number; failed: number; failuresByReason: Record<string, number> }>;
  /** Retries Secrets Manager needed (attempts beyond the first, over all rotations). */
  retries?: number;
  /** API calls the endpoint counted while the scenario's rotations ran, by service (`secretsmanager`, ...). */
  apiCalls: Record<string, number>;
  /** One line per failure (rotation or login) worth showing, without secret material. */
  notes: string[];
}

export function apiCallsPerRotation(result: ScenarioResult): number | undefined {
  const finished = result.rotationMs.length + result.rotationsFailed;
  if (finished === 0) return undefined;
  const total = Object.values(result.apiCalls).reduce((sum, n) => sum + n, 0);
  return total / finished;
}

function formatCalls(result: ScenarioResult): string {
  const finished = result.rotationMs.length + result.rotationsFailed;
  if (finished === 0) return '-';
  const per = apiCallsPerRotation(result) ?? 0;
  const parts = Object.entries(result.apiCalls)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, n]) => `${service} ${(n / finished).toFixed(1)}`);
  return `${per.toFixed(1)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** The demo's closing table: one row per engine and strategy. */
export function renderScenarioTable(results: readonly ScenarioResult[]): string {
  return renderTable(
    ['ENGINE', 'STRATEGY', 'ROTATIONS', 'P50', 'P95', 'LOGINS', 'FAILED LOGINS', 'API CALLS / ROTATION'],
    results.map((r) => {
      const summary = summarize(r.rotationMs);
      return [
        r.engine,
        r.strategy,
        `${r.rotationMs.length}/${r.rotationsRequested}${r.rotationsFailed > 0 ? ` (${r.rotationsFailed} failed)` : ''}`,
        formatDuration(summary.p50),
        formatDuration(summary.p95),
        String(r.logins.attempted),
        `${r.logins.failed} (${formatPercent(r.logins.failed, r.logins.attempted)})`,
        formatCalls(r),
      ];
    }),
    { alignRight: [2, 3, 4, 5, 6] },
  );
}

/** Whether the demo as a whole succeeded: every requested rotation finished. */
export function allRotationsSucceeded(results: readonly ScenarioResult[]): boolean {
  return results.every((r) => r.rotationsFailed === 0 && r.rotationMs.length === r.rotationsRequested);
}
