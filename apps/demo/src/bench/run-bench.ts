/**
 * `pnpm bench`: measurements, not tests. For each engine and strategy, through RotateSecret on the local
 * endpoint with the real bundles and servers:
 *   1. rotation wall time over N rotations (p50 / p95), with a known ElastiCache modifying delay, and the
 *      waiting overhead (time after the user turned active before the waiting step noticed);
 *   2. the API calls the rotation function made per rotation, by service and operation;
 *   3. failed logins under continuous load (fresh connection per attempt, several workers) for @rotor/client
 *      and for a naive client, with rotations spaced beyond the naive client's cache lifetime;
 *   4. bundle size and cold import time against a bare Secrets Manager client bundle;
 *   6. what @rotor/client adds to one (re)connect per driver, and a connect inside the single-user gap.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { StrategyId } from '@rotor/core';
import { openDemoSession, prepareScenario, scenarioPlan } from '../demo-session.js';
import { bundlePath } from '../environment/bundles.js';
import { formatDuration, formatPercent, percentile, type Summary, summarize } from '../report/stats.js';
import { renderTable } from '../report/table.js';
import { runRotationLoop } from '../scenarios/rotation-loop.js';
import type { DemoEngine, PreparedScenario } from '../scenarios/scenario.js';
import type { CallCounts } from '../workload/api-calls.js';
import type { LoginStats } from '../workload/login-workers.js';
import { NAIVE_TTL_MS } from '../workload/naive-secret-reader.js';
import { type BundleCost, buildBaselineBundle, measureBundle } from './bundle-cost.js';
import { type ClientCostRow, DEFAULT_CLIENT_COST_OPTIONS, measureClientCost } from './client-cost.js';
import { runElastiCacheSweep, type SweepPoint } from './elasticache-sweep.js';
import { createElastiCacheTimeline, waitingOverheads } from './elasticache-timeline.js';
import { measureReconnectCost, type ReconnectCost } from './reconnect-cost.js';
import { runScale, type ScaleResult } from './scale.js';
import { runStorm, type StormResult } from './storm.js';

export interface BenchOptions {
  engines: DemoEngine[];
  strategies: StrategyId[];
  /** Rotations per scenario for the timing phase (the issue asks for at least 50). */
  rotations: number;
  /** Rotations per scenario for the login phase. */
  loginRotations: number;
  /** Pause between login-phase rotations; default: the naive client's cache lifetime plus a second. */
  spacingMs: number;
  loginWorkers: number;
  loginIntervalMs: number;
  modifyingDelayMs: number;
  importRuns: number;
  /** Numbers of secrets rotated in the scale phase, one run each. */
  scaleSizes: number[];
  scaleConcurrency: number;
  /** The scale phase's ElastiCache modifying delay (short: it measures the machinery, not the wait). */
  scaleModifyingDelayMs: number;
  /** Connections per driver and variant in the reconnect phase. */
  reconnectConnections: number;
  /** ElastiCache modifying delays of the sweep phase, and rotations measured at each. */
  sweepDelaysMs: number[];
  sweepRotations: number;
  /** Rotations started at once per storm run, through the throttled endpoint. */
  stormSizes: number[];
  phases: {
    timing: boolean;
    logins: boolean;
    bundles: boolean;
    scale: boolean;
    reconnect: boolean;
    sweep: boolean;
    storm: boolean;
    client: boolean;
  };
}

export interface TimingResult {
  engine: DemoEngine;
  strategy: StrategyId;
  rotations: number;
  failed: number;
  retries: number;
  rotationMs: Summary;
  /** API calls the rotation function made per rotation, by service and operation. */
  callsPerRotation: CallCounts;
  callsPerRotationTotal: number;
  /** Function invocations per rotation (four steps, plus retries), how many were cold starts, and step times. */
  invocations: {
    perRotation: number;
    coldStarts: number;
    initMsMedian: number | undefined;
    stepMsMedian: Record<string, number | undefined>;
  };
  /** ElastiCache only: overhead per wait for `active`, and how many waits a rotation had. */
  waitingOverheadMs?: Summary;
  waitsPerRotation?: number;
}

export interface LoginResult {
  engine: DemoEngine;
  strategy: StrategyId;
  rotations: number;
  clients: Record<string, Pick<LoginStats, 'attempted' | 'failed' | 'failuresByReason'>>;
}

export interface BenchReport {
  machine: Record<string, unknown>;
  options: BenchOptions;
  timing: TimingResult[];
  logins: LoginResult[];
  bundles: { baseline?: BundleCost; bundles: Array<BundleCost & { importRatio: number }> };
  scale: ScaleResult[];
  reconnect: ReconnectCost[];
  sweep: SweepPoint[];
  storm: StormResult[];
  clientCost: ClientCostRow[];
  elapsedMs: number;
}

export function describeMachine(): Record<string, unknown> {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export async function runBench(
  options: BenchOptions,
  log: (line: string) => void,
  /** Called with the report so far after each scenario and phase (main saves it: a long run keeps its data). */
  onPartial: (report: BenchReport) => Promise<void> = async () => {},
): Promise<BenchReport> {
  const started = performance.now();
  const machine = describeMachine();
  const report: BenchReport = {
    machine,
    options,
    timing: [],
    logins: [],
    bundles: { bundles: [] },
    scale: [],
    reconnect: [],
    sweep: [],
    storm: [],
    clientCost: [],
    elapsedMs: 0,
  };
  const plan = scenarioPlan(options);

  if (options.phases.timing || options.phases.logins) {
    const timeline = createElastiCacheTimeline(options.modifyingDelayMs);
    const session = await openDemoSession(
      {
        ...options,
        redisUrl: undefined,
        redisCaFile: undefined,
        postgresUrl: undefined,
        rebuild: false,
        wrapElastiCache: timeline.wrap,
      },
      log,
    );
    try {
      for (const [engine, strategy] of plan) {
        const label = `${engine}/${strategy}`;
        const scenario: PreparedScenario = await prepareScenario(session.env, engine, strategy);
        try {
          if (options.phases.timing) {
            log(`${label}: ${options.rotations} rotations back to back (1 client worker)`);
            const from = performance.now();
            const invocationsBefore = session.env.aws.invocations().length;
            const result = await runRotationLoop(session.env, scenario, {
              rotations: options.rotations,
              workers: 1,
              intervalMs: 100,
              clientKinds: ['rotor'],
              onRotation: (r) => {
                if (!r.succeeded || r.index % 10 === 0) {
                  log(
                    `  ${label} ${r.index}/${options.rotations}${r.succeeded ? '' : ` FAILED: ${r.error ?? ''}`}`,
                  );
                }
              },
            });
            const to = performance.now();
            const finished = result.rotationMs.length + result.rotationsFailed;
            const invocations = session.env.aws
              .invocations()
              .slice(invocationsBefore)
              .filter((record) => record.secretId?.includes(`:secret:${scenario.secretId}-`));
            const cold = invocations.filter((record) => record.initDurationMs > 0);
            const stepMsMedian: Record<string, number | undefined> = {};
            for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
              stepMsMedian[step] = percentile(
                invocations.filter((record) => record.step === step).map((record) => record.durationMs),
                50,
              );
            }
            const timing: TimingResult = {
              engine,
              strategy,
              rotations: result.rotationMs.length,
              failed: result.rotationsFailed,
              retries: result.retries ?? 0,
              rotationMs: summarize(result.rotationMs),
              callsPerRotation: perRotation(result.functionCalls, finished),
              callsPerRotationTotal:
                Object.values(result.apiCalls).reduce((sum, n) => sum + n, 0) / Math.max(1, finished),
              invocations: {
                perRotation: invocations.length / Math.max(1, finished),
                coldStarts: cold.length,
                initMsMedian: percentile(
                  cold.map((record) => record.initDurationMs),
                  50,
                ),
                stepMsMedian,
              },
            };
            if (engine === 'elasticache') {
              const overheads = waitingOverheads(timeline.episodes(), from, to);
              timing.waitingOverheadMs = summarize(overheads);
              timing.waitsPerRotation = overheads.length / Math.max(1, finished);
            }
            report.timing.push(timing);
          }
          if (options.phases.logins) {
            log(
              `${label}: ${options.loginRotations} rotations ${formatDuration(options.spacingMs)} apart, ` +
                `${options.loginWorkers} rotor + ${options.loginWorkers} naive workers`,
            );
            const result = await runRotationLoop(session.env, scenario, {
              rotations: options.loginRotations,
              workers: options.loginWorkers,
              intervalMs: options.loginIntervalMs,
              clientKinds: ['rotor', 'naive'],
              pauseBetweenMs: options.spacingMs,
              settleMs: options.spacingMs,
            });
            report.logins.push({
              engine,
              strategy,
              rotations: result.rotationMs.length,
              clients: result.clients ?? {},
            });
          }
        } finally {
          await scenario.close();
        }
        await onPartial(report);
      }
    } finally {
      await session.close();
    }
  }

  if (options.phases.scale) {
    log(
      `Scale: ${options.scaleSizes.join(', ')} ElastiCache secrets, ${options.scaleConcurrency} rotations at a time, one function, modifying delay ${options.scaleModifyingDelayMs} ms`,
    );
    const session = await openDemoSession(
      {
        engines: ['elasticache'],
        redisUrl: undefined,
        redisCaFile: undefined,
        postgresUrl: undefined,
        rebuild: false,
        modifyingDelayMs: options.scaleModifyingDelayMs,
      },
      log,
    );
    try {
      report.scale = await runScale(session.env, options.scaleSizes, options.scaleConcurrency, log);
    } finally {
      await session.close();
    }
    await onPartial(report);
  }

  if (options.phases.bundles) {
    log(`Bundles: size and cold import time (${options.importRuns} fresh processes each)`);
    const baseline = await buildBaselineBundle();
    try {
      const base = await measureBundle('secrets-manager client only', baseline.path, options.importRuns);
      report.bundles.baseline = base;
      for (const engine of [...options.engines, 'postgres' as const]) {
        const cost = await measureBundle(`${engine}-rotation`, bundlePath(engine), options.importRuns);
        report.bundles.bundles.push({ ...cost, importRatio: cost.importMs / base.importMs });
      }
    } finally {
      await baseline.dispose();
    }
  }
  if (options.phases.sweep) {
    log(
      `ElastiCache wait sweep: modifying delays ${options.sweepDelaysMs.map((ms) => `${ms / 1000} s`).join(', ')}, ${options.sweepRotations} rotation(s) each`,
    );
    report.sweep = await runElastiCacheSweep(
      options.sweepDelaysMs,
      options.sweepRotations,
      'dual-password',
      log,
      async (points) => {
        report.sweep = [...points];
        await onPartial(report);
      },
    );
    await onPartial(report);
  }
  if (options.phases.client) {
    log('Client cost: one simulated hour, one single-user rotation, a new connection every second');
    report.clientCost = await measureClientCost();
  }
  if (options.phases.storm) {
    for (const size of options.stormSizes) {
      report.storm.push(
        await runStorm(size, { modifyingDelayMs: 1_000, maxContainers: 1_000, timeoutMs: 300_000 }, log),
      );
      await onPartial(report);
    }
  }
  if (options.phases.reconnect) {
    log(`Reconnect cost: ${options.reconnectConnections} connections per driver and variant`);
    report.reconnect = await measureReconnectCost(options.reconnectConnections, log);
    await onPartial(report);
  }
  report.elapsedMs = performance.now() - started;
  report.machine.loadAverageAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
  return report;
}

function perRotation(calls: CallCounts, rotations: number): CallCounts {
  const result: CallCounts = {};
  for (const [service, operations] of Object.entries(calls)) {
    result[service] = Object.fromEntries(
      Object.entries(operations).map(([op, n]) => [op, Math.round((n / Math.max(1, rotations)) * 100) / 100]),
    );
  }
  return result;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The report as text: the tables `pnpm bench` prints and bench/results/*.md keeps. */
export function renderBenchReport(report: BenchReport): string {
  const m = report.machine;
  const lines: string[] = [
    `Machine: ${String(m.cpuCount)} CPU (${String(m.cpuModel)}), ${String(m.memoryGiB)} GiB, Node ${String(m.node)}, ${String(m.platform)}; ${String(m.date)}`,
    `Load average at start ${JSON.stringify(m.loadAverageAtStart)}, at end ${JSON.stringify(m.loadAverageAtEnd)} (the machine is shared; times vary with it).`,
    ...(report.timing.length > 0 || report.logins.length > 0
      ? [
          `ElastiCache modifying delay: ${report.options.modifyingDelayMs} ms. Each step is one invocation of the bundle in a child process, kept warm between invocations as Lambda keeps containers.`,
        ]
      : []),
    '',
  ];
  if (report.timing.length > 0) {
    lines.push(
      `1-2. Rotation wall time (RotateSecret until AWSCURRENT moved) and the function's API calls per rotation`,
    );
    lines.push(
      renderTable(
        [
          'ENGINE',
          'STRATEGY',
          'ROTATIONS',
          'P50',
          'P95',
          'MAX',
          'RETRIES',
          'WAIT OVERHEAD P50/P95',
          'API CALLS / ROTATION',
        ],
        report.timing.map((t) => [
          t.engine,
          t.strategy,
          `${t.rotations}${t.failed ? ` (+${t.failed} failed)` : ''}`,
          formatDuration(t.rotationMs.p50),
          formatDuration(t.rotationMs.p95),
          formatDuration(t.rotationMs.max),
          String(t.retries),
          t.waitingOverheadMs
            ? `${formatDuration(t.waitingOverheadMs.p50)} / ${formatDuration(t.waitingOverheadMs.p95)} (${(t.waitsPerRotation ?? 0).toFixed(1)} waits)`
            : '-',
          t.callsPerRotationTotal.toFixed(1),
        ]),
        { alignRight: [2, 3, 4, 5, 6] },
      ),
    );
    lines.push('');
    lines.push(
      '   Invocations: per rotation, cold starts (init median), median time per step (create / set / test / finish):',
    );
    for (const t of report.timing) {
      const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret']
        .map((step) => formatDuration(t.invocations.stepMsMedian[step]))
        .join(' / ');
      lines.push(
        `   ${`${t.engine}/${t.strategy}`.padEnd(30)} ${t.invocations.perRotation.toFixed(1)} per rotation, ` +
          `${t.invocations.coldStarts} cold (init ${formatDuration(t.invocations.initMsMedian)}), steps ${steps}`,
      );
    }
    lines.push('');
    lines.push('   API calls per rotation by operation:');
    for (const t of report.timing) {
      const ops = Object.entries(t.callsPerRotation)
        .flatMap(([service, operations]) =>
          Object.entries(operations).map(([op, n]) => `${service}:${op} ${n}`),
        )
        .join(', ');
      lines.push(`   ${`${t.engine}/${t.strategy}`.padEnd(30)} ${ops}`);
    }
    lines.push('');
  }
  if (report.logins.length > 0) {
    lines.push(
      `3. Failed logins under continuous load (${report.options.loginWorkers} workers per client, fresh connection per attempt, ` +
        `rotations ${formatDuration(report.options.spacingMs)} apart; naive = cached AWSCURRENT for ${NAIVE_TTL_MS / 1000} s, no recovery)`,
    );
    lines.push(
      renderTable(
        [
          'ENGINE',
          'STRATEGY',
          'ROTATIONS',
          'ROTOR LOGINS',
          'ROTOR FAILED',
          'NAIVE LOGINS',
          'NAIVE FAILED',
          'NAIVE FAILURES',
        ],
        report.logins.map((l) => {
          const rotor = l.clients.rotor;
          const naive = l.clients.naive;
          return [
            l.engine,
            l.strategy,
            String(l.rotations),
            String(rotor?.attempted ?? 0),
            `${rotor?.failed ?? 0} (${formatPercent(rotor?.failed ?? 0, rotor?.attempted ?? 0)})`,
            String(naive?.attempted ?? 0),
            `${naive?.failed ?? 0} (${formatPercent(naive?.failed ?? 0, naive?.attempted ?? 0)})`,
            Object.entries(naive?.failuresByReason ?? {})
              .map(([reason, n]) => `${reason} ${n}`)
              .join(', ') || '-',
          ];
        }),
        { alignRight: [2, 3, 4, 5, 6] },
      ),
    );
    lines.push('');
  }
  const base = report.bundles.baseline;
  if (base) {
    lines.push(
      "4. Lambda bundles: entry size and cold import time in a fresh Node process (Lambda's init, median), and what a lazy " +
        "entry's first invocation then spends loading the function (once per container)",
    );
    lines.push(
      renderTable(
        [
          'BUNDLE',
          'ENTRY SIZE',
          'GZIP',
          'INIT (IMPORT)',
          'VS BARE SM CLIENT',
          'FIRST INVOCATION LOADS',
          'INIT + LOAD VS BARE',
        ],
        [
          [
            base.name,
            kb(base.bytes),
            kb(base.gzipBytes),
            formatDuration(base.importMs),
            '1.00x',
            '-',
            '1.00x',
          ],
          ...report.bundles.bundles.map((b) => [
            b.name,
            kb(b.bytes),
            kb(b.gzipBytes),
            formatDuration(b.importMs),
            `${b.importRatio.toFixed(2)}x`,
            b.firstLoadMs > 0 ? formatDuration(b.firstLoadMs) : '-',
            `${((b.importMs + (b.firstLoadMs ?? 0)) / base.importMs).toFixed(2)}x`,
          ]),
        ],
        { alignRight: [1, 2, 3, 4, 5, 6] },
      ),
    );
    lines.push('');
  }
  if (report.scale.length > 0) {
    const first = report.scale[0];
    lines.push(
      `5. Scale: ElastiCache secrets rotated through the local endpoint, ${first?.concurrency ?? '?'} at a time, one function ` +
        `(modifying delay ${report.options.scaleModifyingDelayMs} ms)`,
    );
    lines.push(
      renderTable(
        [
          'SECRETS',
          'OK',
          'FAILED',
          'WALL',
          'ROTATIONS/S',
          'P50',
          'P95',
          'API CALLS / ROTATION',
          'ENDPOINT RSS',
          'FUNCTIONS RSS (PROCS)',
        ],
        report.scale.map((r) => [
          String(r.secrets),
          String(r.succeeded),
          String(r.failed),
          formatDuration(r.wallMs),
          r.rotationsPerSecond.toFixed(1),
          formatDuration(r.rotationMs.p50),
          formatDuration(r.rotationMs.p95),
          Object.values(r.callsPerRotation)
            .reduce((sum, n) => sum + n, 0)
            .toFixed(1),
          `${r.peakEndpointRssMiB} MiB`,
          `${r.peakFunctionRssMiB} MiB (${r.peakFunctionProcesses})`,
        ]),
        { alignRight: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
      ),
    );
    lines.push('');
  }
  if (report.reconnect.length > 0) {
    const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)} ms`);
    lines.push(
      `6. One (re)connect, start until the client can run a command (${report.options.reconnectConnections} per row, one after another): ` +
        'the driver alone, through @rotor/client with a warm cache, and through @rotor/client inside the single-user gap ' +
        '(refused, DescribeSecret + GetSecretValue over the local endpoint, logged in again)',
    );
    lines.push(
      renderTable(
        ['DRIVER', 'ALONE P50/P95', '@ROTOR/CLIENT P50/P95', 'ADDED P50', 'IN THE GAP P50/P95'],
        report.reconnect.map((r) => [
          r.driver,
          `${ms(r.staticMs.p50)} / ${ms(r.staticMs.p95)}`,
          `${ms(r.rotorMs.p50)} / ${ms(r.rotorMs.p95)}`,
          ms(r.addedP50Ms),
          `${ms(r.gapMs.p50)} / ${ms(r.gapMs.p95)}`,
        ]),
        { alignRight: [1, 2, 3, 4] },
      ),
    );
    lines.push('');
  }
  if (report.sweep.length > 0) {
    lines.push(
      "7. ElastiCache wait over modifying delays (dual-password, warm function): the function's ElastiCache calls per rotation and the " +
        "overhead per wait (user active until noticed), beside AWS's function modelled (DescribeUsers in create and set, ModifyUser, " +
        'then DescribeUsers at once and every 10 s)',
    );
    lines.push(
      renderTable(
        [
          'DELAY',
          'ROTATIONS',
          'EC CALLS',
          'AWS EC CALLS',
          'OVERHEAD P50/MAX',
          'BOUND',
          'AWS OVERHEAD',
          'SM CALLS',
          'EC CALLS BY OPERATION',
        ],
        report.sweep.map((p) => [
          formatDuration(p.delayMs),
          `${p.rotations}${p.failed ? ` (+${p.failed} failed)` : ''}`,
          p.elastiCacheCallsPerRotation.toFixed(1),
          String(p.aws.callsPerRotation),
          `${formatDuration(p.overheadMs.p50)} / ${formatDuration(p.overheadMs.max)}`,
          formatDuration(p.overheadBoundMs),
          formatDuration(p.aws.overheadMs),
          p.secretsManagerCallsPerRotation.toFixed(1),
          Object.entries(p.elastiCacheCallsByOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', '),
        ]),
        { alignRight: [0, 1, 2, 3, 4, 5, 6, 7] },
      ),
    );
    lines.push('');
  }
  if (report.storm.length > 0) {
    lines.push(
      '8. Rotation storms: N ElastiCache rotations (dual-password) started at once through an endpoint throttling each operation at ' +
        "AWS's rates; the function's steps run in-process (real handler code, one container per concurrent invocation), 1 s modifying delay",
    );
    lines.push(
      renderTable(
        [
          'ROTATIONS',
          'OK',
          'FAILED',
          'FAILED STEPS',
          'WALL',
          'P50',
          'P95',
          'CALLS',
          'ANSWERED',
          'ANSWERED / ROTATION',
          'THROTTLED (RETRIED)',
          'THROTTLED / ROTATION',
          'CONTAINERS',
        ],
        report.storm.map((r) => [
          String(r.rotations),
          String(r.succeeded),
          String(r.failed),
          String(r.failedInvocations),
          formatDuration(r.wallMs),
          formatDuration(r.p50Ms),
          formatDuration(r.p95Ms),
          String(r.totalCalls),
          String(r.answeredCalls),
          r.answeredCallsPerRotation.toFixed(2),
          String(r.throttled),
          r.throttledPerRotation.toFixed(2),
          String(r.containers),
        ]),
        { alignRight: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
      ),
    );
    lines.push('');
  }
  if (report.clientCost.length > 0) {
    const o = DEFAULT_CLIENT_COST_OPTIONS;
    lines.push(
      `9. Client cost per application instance over one simulated hour: a new connection every ${o.connectEveryMs / 1000} s, one ` +
        `single-user rotation (the server takes the new password ${o.gapMs / 1000} s before AWSCURRENT moves); Secrets Manager ` +
        `${o.secretsManagerRttMs} ms and a login ${o.loginRttMs} ms of simulated latency`,
    );
    lines.push(
      renderTable(
        ['CLIENT', 'CONNECTIONS', 'FAILED', 'SM CALLS / HOUR', 'ADDED LATENCY MEAN / P99 / MAX'],
        report.clientCost.map((r) => [
          r.client,
          String(r.connections),
          String(r.failedConnections),
          String(Math.round(r.callsPerHour)),
          `${r.addedLatencyMeanMs.toFixed(2)} / ${r.addedLatencyP99Ms.toFixed(0)} / ${r.addedLatencyMaxMs.toFixed(0)} ms`,
        ]),
        { alignRight: [1, 2, 3, 4] },
      ),
    );
    lines.push('');
  }
  lines.push(`Bench took ${formatDuration(report.elapsedMs)}.`);
  return `${lines.join('\n')}\n`;
}
