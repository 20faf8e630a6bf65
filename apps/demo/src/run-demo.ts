/**
 * The demo: servers, the local endpoint with the Lambda bundles registered as rotation functions, then each
 * engine's operator workflow and its rotations while clients log in, and a closing report.
 */
import { writeFile } from 'node:fs/promises';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StrategyId } from '@rotor/core';
import {
  createElastiCacheService,
  createRedshiftDataService,
  type LocalAws,
  type LocalService,
  startLocalAws,
} from '@rotor/local-aws';
import type { DemoOptions } from './demo-options.js';
import { type BundledEngine, ensureBundle, snapshotBundle } from './environment/bundles.js';
import { type DemoServers, MissingBinaryError, startServers } from './environment/servers.js';
import { createProgress, type ProgressStream, progressBar } from './report/progress.js';
import { allRotationsSucceeded, renderScenarioTable } from './report/scenario-result.js';
import { formatDuration, formatPercent } from './report/stats.js';
import { prepareElastiCacheScenario } from './scenarios/elasticache.js';
import { DEMO_CLUSTER, prepareRedshiftScenario } from './scenarios/redshift.js';
import { type RotationLoopResult, runRotationLoop } from './scenarios/rotation-loop.js';
import {
  type ClientKind,
  type DemoEngine,
  type PreparedScenario,
  type ScenarioEnvironment,
  STRATEGIES_BY_ENGINE,
} from './scenarios/scenario.js';
import { CallCounter } from './workload/api-calls.js';

export interface DemoIo {
  stdout: ProgressStream;
  stderr: { write(text: string): unknown };
}

export interface DemoOutcome {
  exitCode: number;
  results: RotationLoopResult[];
}

/** The parts of the demo the bench reuses: everything up to a ready scenario environment. */
export interface DemoSession {
  env: ScenarioEnvironment;
  close(): Promise<void>;
}

export async function openDemoSession(
  options: Pick<DemoOptions, 'engines' | 'redisUrl' | 'postgresUrl' | 'modifyingDelayMs' | 'rebuild'> & {
    /** Replaces the emulated ElastiCache service (the bench wraps it to observe status changes). */
    wrapElastiCache?: (service: LocalService) => LocalService;
  },
  log: (line: string) => void,
): Promise<DemoSession> {
  const wants = new Set(options.engines);
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const servers: DemoServers = await startServers({
      redis: wants.has('elasticache'),
      postgres: wants.has('redshift'),
      redisUrl: options.redisUrl,
      postgresUrl: options.postgresUrl,
    });
    closers.push(() => servers.stop());
    if (servers.redis) {
      log(
        `Redis       ${servers.redis.throwaway ? 'throwaway redis-server' : 'existing server'} on ${servers.redis.host}:${servers.redis.port} (password enforced)`,
      );
    }
    if (servers.postgres) {
      log(
        `PostgreSQL  ${servers.postgres.throwaway ? 'throwaway cluster' : 'existing server'} on ${servers.postgres.host}:${servers.postgres.port} (md5 password auth), standing in for Redshift cluster "${DEMO_CLUSTER}"`,
      );
    }

    // After the servers, so a missing binary is reported before any build runs.
    const bundles: Partial<Record<DemoEngine, string>> = {};
    for (const engine of options.engines) {
      const built = await ensureBundle(engine as BundledEngine, { rebuild: options.rebuild, log });
      const snapshot = await snapshotBundle(built);
      closers.push(() => snapshot.dispose());
      bundles[engine] = snapshot.path;
    }

    const services: LocalService[] = [];
    if (servers.redis) {
      const service = createElastiCacheService({
        redisUrl: servers.redis.url,
        modifyingDelayMs: options.modifyingDelayMs,
      });
      services.push(options.wrapElastiCache ? options.wrapElastiCache(service) : service);
    }
    if (servers.postgres) {
      services.push(createRedshiftDataService({ clusters: { [DEMO_CLUSTER]: servers.postgres.url } }));
    }
    const aws: LocalAws = await startLocalAws({ services, rotation: { maxAttempts: 3, retryDelayMs: 500 } });
    closers.push(() => aws.stop());
    log(
      `Endpoint    ${aws.endpoint} (Secrets Manager${servers.redis ? ', ElastiCache' : ''}${servers.postgres ? ', Redshift Data' : ''}); rotation functions run from ${Object.values(bundles).length} Lambda bundle(s)`,
    );

    const counter = new CallCounter();
    const clientConfig = {
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      maxAttempts: 2,
    };
    const clients: Array<{ destroy(): void }> = [];
    closers.push(async () => {
      for (const client of clients) client.destroy();
    });
    const track = <T extends { destroy(): void }>(client: T): T => {
      clients.push(client);
      return counter.watch(client);
    };
    const env: ScenarioEnvironment = {
      aws,
      servers,
      counter,
      secretsManager: track(new SecretsManagerClient(clientConfig)),
      elasticache: servers.redis ? track(new ElastiCacheClient(clientConfig)) : undefined,
      redshiftData: servers.postgres ? track(new RedshiftDataClient(clientConfig)) : undefined,
      bundles,
      newSecretsManagerClient: () => track(new SecretsManagerClient(clientConfig)),
      log,
      modifyingDelayMs: options.modifyingDelayMs,
    };
    return { env, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function scenarioPlan(
  options: Pick<DemoOptions, 'engines' | 'strategies'>,
): Array<[DemoEngine, StrategyId]> {
  return options.engines.flatMap((engine) =>
    STRATEGIES_BY_ENGINE[engine]
      .filter((s) => options.strategies.includes(s))
      .map((s) => [engine, s] as [DemoEngine, StrategyId]),
  );
}

export function prepareScenario(
  env: ScenarioEnvironment,
  engine: DemoEngine,
  strategy: StrategyId,
): Promise<PreparedScenario> {
  return engine === 'elasticache'
    ? prepareElastiCacheScenario(env, strategy)
    : prepareRedshiftScenario(env, strategy);
}

export interface DemoHooks {
  /** Runs after the last scenario, before the endpoint and servers stop (tests inspect the final state). */
  beforeClose?(env: ScenarioEnvironment): Promise<void>;
}

export async function runDemo(options: DemoOptions, io: DemoIo, hooks: DemoHooks = {}): Promise<DemoOutcome> {
  const progress = createProgress(io.stdout, { interactive: !options.plain && io.stdout.isTTY === true });
  const log = (line: string) => progress.log(line);
  const plan = scenarioPlan(options);
  const clientKinds: ClientKind[] = options.compareNaive ? ['rotor', 'naive'] : ['rotor'];
  log(
    `Rotor demo: ${plan.length} scenario(s) (${plan.map(([e, s]) => `${e}/${s}`).join(', ')}), ` +
      `${options.rotations} rotation(s) each after the first, ${options.workers} client worker(s) logging in throughout`,
  );

  let session: DemoSession;
  try {
    session = await openDemoSession(options, log);
  } catch (error) {
    progress.done();
    if (error instanceof MissingBinaryError) {
      io.stderr.write(`pnpm demo: ${error.message}\n`);
      return { exitCode: 1, results: [] };
    }
    throw error;
  }

  const results: RotationLoopResult[] = [];
  const started = performance.now();
  try {
    for (const [engine, strategy] of plan) {
      const label = `${engine}/${strategy}`;
      progress.render([`  ${label}: setting up (operator workflow)…`]);
      const scenario = await prepareScenario(session.env, engine, strategy);
      try {
        const result = await runRotationLoop(session.env, scenario, {
          rotations: options.rotations,
          workers: options.workers,
          intervalMs: options.intervalMs,
          pauseBetweenMs: options.pauseMs,
          clientKinds,
          onProgress: (p) =>
            progress.render([
              `  ${label.padEnd(30)} ${progressBar(p.done, p.total)}   last ${formatDuration(p.lastMs)}`,
              `  ${Object.entries(p.logins)
                .map(([kind, s]) => `${kind} client: ${s.attempted} logins, ${s.failed} failed`)
                .join('   ')}`,
            ]),
          onRotation: (r) => {
            if (progress.interactive && r.succeeded) return;
            log(
              `  ${label} rotation ${r.index}/${options.rotations} ${r.succeeded ? 'succeeded' : `FAILED (${r.error ?? 'unknown'})`} in ${formatDuration(r.ms)}`,
            );
          },
        });
        results.push(result);
        const rotor = result.clients?.rotor;
        log(
          `  ${label}: ${result.rotationMs.length}/${options.rotations} rotations, ` +
            `${rotor?.attempted ?? 0} logins, ${rotor?.failed ?? 0} failed` +
            (result.clients?.naive
              ? `; naive client ${result.clients.naive.failed}/${result.clients.naive.attempted} failed`
              : ''),
        );
      } finally {
        await scenario.close();
      }
    }
    await hooks.beforeClose?.(session.env);
  } finally {
    progress.done();
    await session.close();
  }

  const elapsed = performance.now() - started;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  out('');
  out(renderScenarioTable(results));
  const notes = results.flatMap((r) => r.notes.map((note) => `${r.engine}/${r.strategy}: ${note}`));
  if (notes.length > 0) {
    out('');
    for (const note of notes) out(`  ${note}`);
  }
  if (options.compareNaive) {
    out('');
    for (const r of results) {
      const naive = r.clients?.naive;
      if (naive) {
        out(
          `  naive client, ${r.engine}/${r.strategy}: ${naive.failed} of ${naive.attempted} logins failed (${formatPercent(naive.failed, naive.attempted)})`,
        );
      }
    }
  }
  const ok = allRotationsSucceeded(results);
  out('');
  out(
    `${ok ? 'Done' : 'FAILED'}: ${results.reduce((n, r) => n + r.rotationMs.length, 0)} rotations in ${formatDuration(elapsed)}. ` +
      "Times run from RotateSecret until AWSCURRENT moved; API calls are those the rotation functions made (Secrets Manager and the engine's service).",
  );
  if (options.reportJson) {
    await writeFile(
      options.reportJson,
      `${JSON.stringify({ options, elapsedMs: elapsed, results }, null, 2)}\n`,
    );
  }
  return { exitCode: ok ? 0 : 1, results };
}
