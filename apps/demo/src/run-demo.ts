/**
 * The demo: a session (servers, endpoint, bundles), then each engine's operator workflow and its rotations while
 * clients log in, with progress on the terminal, and a closing report.
 */
import { writeFile } from 'node:fs/promises';
import type { DemoOptions } from './demo-options.js';
import { type DemoSession, openDemoSession, prepareScenario, scenarioPlan } from './demo-session.js';
import { MissingBinaryError } from './environment/servers.js';
import { type BoardEntry, renderBoard } from './report/live-board.js';
import { createProgress, type ProgressStream } from './report/progress.js';
import { allRotationsSucceeded, renderScenarioTable } from './report/scenario-result.js';
import { formatDuration, formatPercent, percentile } from './report/stats.js';
import { type RotationLoopResult, runRotationLoop } from './scenarios/rotation-loop.js';
import type { ClientKind, ScenarioEnvironment } from './scenarios/scenario.js';

export interface DemoIo {
  stdout: ProgressStream;
  stderr: { write(text: string): unknown };
}

export interface DemoOutcome {
  exitCode: number;
  results: RotationLoopResult[];
}

export interface DemoHooks {
  /** Runs after the report, before the endpoint and servers stop (tests inspect the final state; --keep waits). */
  beforeClose?(env: ScenarioEnvironment, results: RotationLoopResult[]): Promise<void>;
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
  const board: BoardEntry[] = plan.map(([engine, strategy]) => ({
    label: `${engine}/${strategy}`,
    state: 'waiting',
  }));
  const started = performance.now();
  try {
    for (const [index, [engine, strategy]] of plan.entries()) {
      const label = `${engine}/${strategy}`;
      board[index] = { label, state: 'setting-up' };
      progress.render(renderBoard(board));
      const scenario = await prepareScenario(session.env, engine, strategy);
      try {
        const result = await runRotationLoop(session.env, scenario, {
          rotations: options.rotations,
          workers: options.workers,
          intervalMs: options.intervalMs,
          pauseBetweenMs: options.pauseMs,
          clientKinds,
          onProgress: (p) => {
            board[index] = { label, state: 'rotating', ...p };
            progress.render(renderBoard(board));
          },
          onRotation: (r) => {
            if (progress.interactive && r.succeeded) return;
            log(
              `  ${label} rotation ${r.index}/${options.rotations} ${r.succeeded ? 'succeeded' : `FAILED (${r.error ?? 'unknown'})`} in ${formatDuration(r.ms)}`,
            );
          },
        });
        results.push(result);
        const rotor = result.clients?.rotor;
        board[index] = {
          label,
          state: 'done',
          rotations: result.rotationMs.length,
          total: options.rotations,
          p50Ms: percentile(result.rotationMs, 50),
          logins: rotor?.attempted ?? 0,
          failed: rotor?.failed ?? 0,
        };
        progress.render(renderBoard(board));
        // On a terminal the board shows this; in plain output it is the scenario's closing line.
        if (!progress.interactive) {
          log(
            `  ${label}: ${result.rotationMs.length}/${options.rotations} rotations, ` +
              `${rotor?.attempted ?? 0} logins, ${rotor?.failed ?? 0} failed` +
              (result.clients?.naive
                ? `; naive client ${result.clients.naive.failed}/${result.clients.naive.attempted} failed`
                : ''),
          );
        }
      } finally {
        await scenario.close();
      }
    }
    progress.done();
    const ok = printReport(results, options, performance.now() - started, io);
    if (options.reportJson) {
      await writeFile(
        options.reportJson,
        `${JSON.stringify({ options, elapsedMs: performance.now() - started, results }, null, 2)}\n`,
      );
    }
    await hooks.beforeClose?.(session.env, results);
    return { exitCode: ok ? 0 : 1, results };
  } finally {
    progress.done();
    await session.close();
  }
}

/** The closing report; returns whether every rotation succeeded. */
function printReport(
  results: RotationLoopResult[],
  options: DemoOptions,
  elapsed: number,
  io: DemoIo,
): boolean {
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
  return ok;
}
