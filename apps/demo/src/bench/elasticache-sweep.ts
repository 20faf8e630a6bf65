/**
 * The ElastiCache wait over a sweep of `modifying` delays (issue 17, target 1; decision 0090). For each delay,
 * one session whose emulated ElastiCache holds users `modifying` that long, the dual-password scenario prepared
 * (its first rotation warms the function's container, as a deployed function is warm after its first
 * invocations), then N rotations measured: the function's ElastiCache calls per rotation and the overhead per
 * wait (how long after the user turned active the function noticed), side by side with AWS's function, modelled:
 * DescribeUsers in createSecret and setSecret, ModifyUser, then DescribeUsers at once and every 10 s
 * (WAITING_RETRY_INTERVAL_IN_SECONDS) until active.
 */
import type { StrategyId } from '@rotor/core';
import { openDemoSession, prepareScenario } from '../demo-session.js';
import { type Summary, summarize } from '../report/stats.js';
import { runRotationLoop } from '../scenarios/rotation-loop.js';
import { totalsByService } from '../workload/api-calls.js';
import { createElastiCacheTimeline, waitingOverheads } from './elasticache-timeline.js';

export interface SweepPoint {
  delayMs: number;
  strategy: StrategyId;
  rotations: number;
  failed: number;
  /** The function's ElastiCache calls per rotation (all operations). */
  elastiCacheCallsPerRotation: number;
  elastiCacheCallsByOperation: Record<string, number>;
  secretsManagerCallsPerRotation: number;
  overheadMs: Summary;
  /** max(0.5 s, 10 % of the delay). */
  overheadBoundMs: number;
  aws: { callsPerRotation: number; overheadMs: number };
}

/** AWS's interval and the gap between its ModifyUser (setSecret) and its first DescribeUsers (testSecret). */
const AWS_INTERVAL_MS = 10_000;
const AWS_STEP_GAP_MS = 50;

/** AWS's wait loop: DescribeUsers when testSecret starts, then every interval until one reports active. */
function awsFixedIntervalChecks(durationMs: number, intervalMs: number, startDelayMs: number): number[] {
  const checks: number[] = [];
  for (let at = startDelayMs; ; at += intervalMs) {
    checks.push(at);
    if (at >= durationMs) return checks;
  }
}

export function awsModel(delayMs: number): { callsPerRotation: number; overheadMs: number } {
  const checks = awsFixedIntervalChecks(delayMs, AWS_INTERVAL_MS, AWS_STEP_GAP_MS);
  // createSecret's DescribeUsers, setSecret's wait (one DescribeUsers: active) and ModifyUser, testSecret's loop.
  return { callsPerRotation: 3 + checks.length, overheadMs: (checks.at(-1) as number) - delayMs };
}

export async function runElastiCacheSweep(
  delaysMs: readonly number[],
  rotations: number,
  strategy: StrategyId,
  log: (line: string) => void,
  /** Called after each delay with the points so far (a long sweep keeps what it measured). */
  onPoint: (points: SweepPoint[]) => Promise<void> = async () => {},
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const delayMs of delaysMs) {
    const timeline = createElastiCacheTimeline(delayMs);
    const session = await openDemoSession(
      {
        engines: ['elasticache'],
        redisUrl: undefined,
        redisCaFile: undefined,
        postgresUrl: undefined,
        rebuild: false,
        modifyingDelayMs: delayMs,
        wrapElastiCache: timeline.wrap,
      },
      () => {},
    );
    try {
      log(`sweep: modifying delay ${delayMs / 1000} s, ${rotations} rotation(s) of elasticache/${strategy}`);
      const scenario = await prepareScenario(session.env, 'elasticache', strategy);
      const from = performance.now();
      const result = await runRotationLoop(session.env, scenario, {
        rotations,
        workers: 1,
        intervalMs: 200,
        clientKinds: ['rotor'],
      });
      const to = performance.now();
      const finished = Math.max(1, result.rotationMs.length + result.rotationsFailed);
      const totals = totalsByService(result.functionCalls);
      const ops = result.functionCalls.elasticache ?? {};
      const overheads = waitingOverheads(timeline.episodes(), from, to);
      points.push({
        delayMs,
        strategy,
        rotations: result.rotationMs.length,
        failed: result.rotationsFailed,
        elastiCacheCallsPerRotation: (totals.elasticache ?? 0) / finished,
        elastiCacheCallsByOperation: Object.fromEntries(
          Object.entries(ops).map(([op, n]) => [op, Math.round((n / finished) * 100) / 100]),
        ),
        secretsManagerCallsPerRotation: (totals.secretsmanager ?? 0) / finished,
        overheadMs: summarize(overheads),
        overheadBoundMs: Math.max(500, 0.1 * delayMs),
        aws: awsModel(delayMs),
      });
    } catch (error) {
      // One delay that cannot be measured (setup timed out) is recorded as failed; the sweep goes on.
      log(`sweep: ${delayMs / 1000} s failed: ${error instanceof Error ? error.message : String(error)}`);
      points.push({
        delayMs,
        strategy,
        rotations: 0,
        failed: rotations,
        elastiCacheCallsPerRotation: Number.NaN,
        elastiCacheCallsByOperation: {},
        secretsManagerCallsPerRotation: Number.NaN,
        overheadMs: summarize([]),
        overheadBoundMs: Math.max(500, 0.1 * delayMs),
        aws: awsModel(delayMs),
      });
    } finally {
      await session.close();
    }
    await onPoint(points);
  }
  return points;
}
