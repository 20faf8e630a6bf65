/**
 * Rotates one prepared scenario's secret N times through RotateSecret (the configuration stored by the first
 * rotation), while client workers log in, and measures: wall time per rotation (RotateSecret until the
 * endpoint reports it finished), logins attempted / failed per client kind, and the API calls the rotation
 * function made (what the endpoint served, minus the demo's own calls).
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { ScenarioResult } from '../report/scenario-result.js';
import { type CallCounts, subtractCounts, totalsByService } from '../workload/api-calls.js';
import { type LoginStats, type LoginWorkers, startLoginWorkers } from '../workload/login-workers.js';
import type { ClientKind, PreparedScenario, ScenarioEnvironment } from './scenario.js';

export interface RotationLoopOptions {
  rotations: number;
  /** Client workers per client kind. */
  workers: number;
  /** Pause between one worker's login attempts. */
  intervalMs: number;
  clientKinds: readonly ClientKind[];
  /** Pause after the workers start and after the last rotation, so logins straddle every rotation. */
  settleMs?: number;
  /** Pause between rotations (the bench spaces them beyond client cache lifetimes). */
  pauseBetweenMs?: number;
  onProgress?(progress: RotationProgress): void;
  onRotation?(rotation: { index: number; ms: number; succeeded: boolean; error?: string | undefined }): void;
}

export interface RotationProgress {
  done: number;
  total: number;
  lastMs: number | undefined;
  logins: Record<string, LoginStats>;
}

export interface RotationLoopResult extends ScenarioResult {
  /** The rotated secret's name. */
  secretId: string;
  /** Calls by service and operation that the rotation functions made, over all rotations. */
  functionCalls: CallCounts;
}

export async function runRotationLoop(
  env: ScenarioEnvironment,
  scenario: PreparedScenario,
  options: RotationLoopOptions,
): Promise<RotationLoopResult> {
  const settleMs = options.settleMs ?? 300;
  const endpointBefore = env.aws.apiCalls();
  const ownBefore = env.counter.snapshot();
  const rotationsBefore = env.aws.rotations().length;
  const workers = new Map<ClientKind, LoginWorkers>();
  for (const kind of options.clientKinds) {
    workers.set(
      kind,
      startLoginWorkers({
        workers: options.workers,
        intervalMs: options.intervalMs,
        attempt: scenario.loginAttempt(kind),
      }),
    );
  }
  const loginSnapshot = () =>
    Object.fromEntries([...workers].map(([kind, pool]) => [kind, pool.stats()])) as Record<
      string,
      LoginStats
    >;

  const rotationMs: number[] = [];
  const notes: string[] = [];
  let failed = 0;
  let lastMs: number | undefined;
  const ticker = setInterval(() => {
    options.onProgress?.({
      done: rotationMs.length + failed,
      total: options.rotations,
      lastMs,
      logins: loginSnapshot(),
    });
  }, 200);
  try {
    await sleep(settleMs);
    for (let index = 1; index <= options.rotations; index++) {
      if (index > 1 && options.pauseBetweenMs) await sleep(options.pauseBetweenMs);
      const started = performance.now();
      await env.secretsManager.send(new RotateSecretCommand({ SecretId: scenario.secretId }));
      const record = await env.aws.waitForRotation(scenario.secretId, {
        timeoutMs: Math.max(180_000, 6 * env.modifyingDelayMs),
      });
      const ms = performance.now() - started;
      lastMs = ms;
      if (record.status === 'succeeded') {
        rotationMs.push(ms);
        options.onRotation?.({ index, ms, succeeded: true });
      } else {
        failed += 1;
        notes.push(`rotation ${index} ${record.status}: ${record.error ?? 'no error recorded'}`);
        options.onRotation?.({ index, ms, succeeded: false, error: record.error });
      }
    }
    await sleep(settleMs);
  } finally {
    clearInterval(ticker);
  }
  const clients: Record<string, LoginStats> = {};
  for (const [kind, pool] of workers) clients[kind] = await pool.stop();
  // Both snapshots are taken with no worker running, so every call the demo sent was also served.
  const functionCalls = subtractCounts(
    subtractCounts(env.aws.apiCalls(), endpointBefore),
    subtractCounts(env.counter.snapshot(), ownBefore),
  );
  const retries = env.aws
    .rotations()
    .slice(rotationsBefore)
    .filter((record) => record.secretName === scenario.secretId)
    .reduce((sum, record) => sum + Math.max(0, record.attempts - 1), 0);
  for (const [kind, stats] of Object.entries(clients)) {
    for (const [reason, n] of Object.entries(stats.failuresByReason))
      notes.push(`${kind} client: ${n} logins failed with ${reason}`);
  }
  const main = clients.rotor ?? Object.values(clients)[0];
  return {
    secretId: scenario.secretId,
    engine: scenario.engine,
    strategy: scenario.strategy,
    rotationsRequested: options.rotations,
    rotationMs,
    rotationsFailed: failed,
    logins: { attempted: main?.attempted ?? 0, failed: main?.failed ?? 0 },
    clients,
    retries,
    apiCalls: totalsByService(functionCalls),
    functionCalls,
    notes,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
