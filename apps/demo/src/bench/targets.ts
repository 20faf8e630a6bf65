/**
 * `pnpm bench --check`: issue 17's targets as one line each (measured value, bound, ok / FAIL) from a bench
 * report. A target this bench does not measure yet is a FAIL line saying so, never a silent pass.
 */
import type { BenchReport } from './run-bench.js';

export interface TargetLine {
  target: string;
  measured: string;
  bound: string;
  ok: boolean;
}

/** Secrets Manager calls per rotation in a warm container (issue 17, target 2). */
export const SECRETS_MANAGER_CALLS_BOUND = 8;
/** Cold import against the bare Secrets Manager client bundle (target 3). */
export const IMPORT_RATIO_BOUND = 1.3;

const fixed = (n: number, digits = 1) => n.toFixed(digits);

export function evaluateTargets(report: BenchReport): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const point of report.sweep) {
    const delay = `${point.delayMs / 1000} s`;
    lines.push({
      target: `1 ElastiCache calls/rotation, ${delay} delay (AWS's schedule)`,
      measured: fixed(point.elastiCacheCallsPerRotation),
      bound: `<= ${point.aws.callsPerRotation}`,
      ok: point.failed === 0 && point.elastiCacheCallsPerRotation <= point.aws.callsPerRotation,
    });
    const overhead = point.overheadMs.max;
    lines.push({
      target: `1 overhead after active, ${delay} delay (max)`,
      measured: overhead === undefined ? 'none noticed' : `${Math.round(overhead)} ms`,
      bound: `<= ${Math.round(point.overheadBoundMs)} ms`,
      ok: overhead !== undefined && overhead <= point.overheadBoundMs,
    });
  }
  if (report.sweep.length === 0) lines.push(missing('1 ElastiCache wait sweep', 'phase sweep did not run'));
  for (const timing of report.timing) {
    const calls = Object.values(timing.callsPerRotation.secretsmanager ?? {}).reduce((sum, n) => sum + n, 0);
    lines.push({
      target: `2 Secrets Manager calls/rotation, warm, ${timing.engine}/${timing.strategy}`,
      measured: fixed(calls),
      bound: `<= ${SECRETS_MANAGER_CALLS_BOUND}`,
      ok: timing.failed === 0 && calls <= SECRETS_MANAGER_CALLS_BOUND,
    });
  }
  if (report.timing.length === 0)
    lines.push(missing('2 Secrets Manager calls/rotation', 'phase timing did not run'));
  for (const bundle of report.bundles.bundles) {
    lines.push({
      target: `3 cold import vs bare SM client, ${bundle.name}`,
      measured: `${fixed(bundle.importRatio, 2)}x`,
      bound: `<= ${IMPORT_RATIO_BOUND}x`,
      ok: bundle.importRatio <= IMPORT_RATIO_BOUND,
    });
  }
  if (report.bundles.bundles.length === 0) lines.push(missing('3 cold import', 'phase bundles did not run'));
  for (const storm of report.storm) {
    lines.push({
      target: `4 storm of ${storm.rotations}: failed rotations (${storm.throttled} throttled calls retried)`,
      measured: String(storm.failed),
      bound: '= 0',
      ok: storm.failed === 0 && storm.succeeded === storm.rotations,
    });
  }
  const [smallest, ...larger] = report.storm;
  if (smallest && larger.length > 0) {
    // Linear cost: answered calls per rotation stay within 25 % of the smallest run's at every size. Throttled
    // requests are shown beside them, not bounded: N rotations queue N / rate seconds for the same per-account
    // rates, and every uncoordinated caller polls its way through that queue (decision 0095).
    const worst = Math.max(...larger.map((storm) => storm.answeredCallsPerRotation));
    lines.push({
      target:
        `4 storm cost growth ${report.storm.map((storm) => storm.rotations).join(' -> ')}: answered calls/rotation ` +
        `(throttled/rotation ${report.storm.map((storm) => storm.throttledPerRotation.toFixed(1)).join(' -> ')})`,
      measured: report.storm.map((storm) => storm.answeredCallsPerRotation.toFixed(1)).join(' -> '),
      bound: `<= ${(smallest.answeredCallsPerRotation * 1.25).toFixed(1)} (linear)`,
      ok: worst <= smallest.answeredCallsPerRotation * 1.25,
    });
  }
  if (report.storm.length === 0) lines.push(missing('4 rotation storm', 'phase storm did not run'));
  const [rotor, ...ttlCaches] = report.clientCost;
  if (rotor) {
    lines.push({
      target: '5 @rotor/client failed connections over a simulated hour with a rotation',
      measured: String(rotor.failedConnections),
      bound: '= 0',
      ok: rotor.failedConnections === 0,
    });
    for (const ttl of ttlCaches) {
      lines.push({
        target: `5 @rotor/client SM calls/hour vs ${ttl.client} (${ttl.failedConnections} failed)`,
        measured: String(Math.round(rotor.callsPerHour)),
        bound: `side by side: ${Math.round(ttl.callsPerHour)}`,
        ok: true,
      });
    }
  } else lines.push(missing('5 @rotor/client cost over a simulated hour', 'phase client did not run'));
  return lines;
}

function missing(target: string, why: string): TargetLine {
  return { target, measured: why, bound: '-', ok: false };
}

export function renderTargetLines(lines: readonly TargetLine[]): string {
  const width = Math.max(...lines.map((line) => line.target.length));
  return `${lines
    .map(
      (line) => `${line.target.padEnd(width)}  ${line.measured}  (${line.bound})  ${line.ok ? 'ok' : 'FAIL'}`,
    )
    .join('\n')}\n`;
}
