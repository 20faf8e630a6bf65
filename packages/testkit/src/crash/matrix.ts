/**
 * The crash matrix: for each scenario, a baseline rotation records every external call of every step; then
 * each call is crashed once (before it is sent, after its reply) by kill -9 of the function and by a
 * connection reset, and the endpoint is killed at the start and the end of each step. Every case ends with
 * the invariants. The result counts points, converged and failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrashAction } from './plan.js';
import {
  type BaselineCall,
  baselineCalls,
  CRASH_MODES,
  type CrashCase,
  type CrashMode,
  describeCase,
  enumerateCases,
} from './points.js';
import { interceptorModule } from './preload-module.js';
import {
  caseIdGenerator,
  openScenarioBench,
  POINT_NOT_REACHED,
  runEndpointCase,
  runFunctionCase,
  type ScenarioBench,
} from './run-case.js';
import type { CrashScenario } from './scenario.js';

/** Runs of one case before a point that is never reached fails it (see runScenario). */
const ATTEMPTS_TO_REACH_A_POINT = 3;

export interface CrashCaseResult {
  scenario: string;
  /** Undefined for a scenario's baseline rotation (no crash), reported only when it fails. */
  crash: CrashCase | undefined;
  /** `setSecret #3 elasticache ModifyUser, after its reply, kill -9 of the function` */
  title: string;
  converged: boolean;
  problems: string[];
  redriven: boolean;
  durationMs: number;
}

export interface CrashMatrixOptions {
  scenarios: readonly CrashScenario[];
  /** Default: all three. */
  modes?: readonly CrashMode[];
  /**
   * Chooses the cases to run from all a scenario has (e.g. a reduced set for CI); it gets the baseline's
   * calls too. Default: every case.
   */
  select?: (cases: CrashCase[], calls: readonly BaselineCall[]) => CrashCase[];
  /** Cases run at once per scenario (each has its own users and secret). Default 1. */
  concurrency?: number;
  onResult?: (result: CrashCaseResult) => void;
  /** Called once a scenario's baseline is known: how many cases it will run. */
  onScenarioStart?: (scenario: string, cases: number) => void;
  /** Called when a scenario's last case has run, with its figures. */
  onScenarioEnd?: (scenario: string, figures: ScenarioFigures) => void;
}

export interface ScenarioFigures {
  points: number;
  converged: number;
  failed: number;
  durationMs: number;
}

export interface CrashMatrixResult {
  results: CrashCaseResult[];
  points: number;
  converged: number;
  failed: number;
}

const ACTION: Record<Exclude<CrashMode, 'endpoint'>, CrashAction> = { kill: 'kill', reset: 'reset' };

/** `crash matrix: N points, N converged, N failed` */
export function summaryLine(result: Pick<CrashMatrixResult, 'points' | 'converged' | 'failed'>): string {
  return `crash matrix: ${result.points} points, ${result.converged} converged, ${result.failed} failed`;
}

export async function runCrashMatrix(options: CrashMatrixOptions): Promise<CrashMatrixResult> {
  const modes = options.modes ?? CRASH_MODES;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const interceptor = await interceptorModule();
  const workDir = mkdtempSync(join(tmpdir(), 'rotor-crash-'));
  const nextCaseId = caseIdGenerator();
  const results: CrashCaseResult[] = [];
  const report = (result: CrashCaseResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  try {
    for (const scenario of options.scenarios) {
      const started = Date.now();
      const before = results.length;
      await runScenario(
        scenario,
        { ...options, modes, concurrency },
        interceptor,
        workDir,
        nextCaseId,
        report,
      );
      const own = results.slice(before);
      const converged = own.filter((result) => result.converged).length;
      options.onScenarioEnd?.(scenario.name, {
        points: own.length,
        converged,
        failed: own.length - converged,
        durationMs: Date.now() - started,
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const converged = results.filter((result) => result.converged).length;
  return { results, points: results.length, converged, failed: results.length - converged };
}

async function runScenario(
  scenario: CrashScenario,
  options: CrashMatrixOptions & { modes: readonly CrashMode[]; concurrency: number },
  interceptor: string,
  workDir: string,
  nextCaseId: () => string,
  report: (result: CrashCaseResult) => void,
): Promise<void> {
  let bench: ScenarioBench | undefined;
  try {
    bench = await openScenarioBench(scenario, interceptor, workDir, nextCaseId);
    const baseline = await attempt(scenario.name, undefined, 'baseline rotation (no crash)', () =>
      runFunctionCase(bench!, 0, undefined),
    );
    const calls = baseline.outcome ? baselineCalls(baseline.outcome.control.calls()) : [];
    if (!baseline.result.converged || calls.length === 0) {
      if (baseline.result.converged)
        baseline.result.problems.push('the baseline rotation made no external call');
      report({ ...baseline.result, converged: false });
      options.onScenarioStart?.(scenario.name, 0);
      return;
    }
    const all = enumerateCases(scenario.name, calls, options.modes);
    const cases = options.select ? options.select(all, calls) : all;
    options.onScenarioStart?.(scenario.name, cases.length);
    await pool(cases, options.concurrency, async (crash, slot) => {
      const title = describeCase(crash);
      // A point is numbered from the baseline; where a step's call count depends on time (a wait's probes
      // interleaved with its polls), a run may end the step before that number. Such a run tested nothing,
      // converged or not: it runs again, and a point no attempt reaches fails the case.
      for (let attemptNumber = 1; ; attemptNumber++) {
        const { result } = await attempt(scenario.name, crash, title, () =>
          crash.mode === 'endpoint'
            ? runEndpointCase(
                scenario,
                interceptor,
                workDir,
                nextCaseId(),
                { ...crash, action: 'halt' },
                slot,
              )
            : runFunctionCase(bench!, slot, { ...crash, action: ACTION[crash.mode] }),
        );
        const unreached =
          result.problems.length > 0 &&
          result.problems.every((problem) => problem.startsWith(POINT_NOT_REACHED));
        if (!unreached || attemptNumber === ATTEMPTS_TO_REACH_A_POINT) {
          report(attemptNumber > 1 ? { ...result, title: `${title} (attempt ${attemptNumber})` } : result);
          break;
        }
      }
    });
  } catch (error) {
    report({
      scenario: scenario.name,
      crash: undefined,
      title: 'scenario setup',
      converged: false,
      problems: [errorText(error)],
      redriven: false,
      durationMs: 0,
    });
  } finally {
    await bench?.close().catch(() => undefined);
  }
}

async function attempt<
  T extends { converged: boolean; problems: string[]; redriven: boolean; durationMs: number },
>(
  scenario: string,
  crash: CrashCase | undefined,
  title: string,
  run: () => Promise<T>,
): Promise<{ result: CrashCaseResult; outcome: T | undefined }> {
  const started = Date.now();
  try {
    const outcome = await run();
    return {
      outcome,
      result: {
        scenario,
        crash,
        title,
        converged: outcome.converged,
        problems: outcome.problems,
        redriven: outcome.redriven,
        durationMs: outcome.durationMs,
      },
    };
  } catch (error) {
    return {
      outcome: undefined,
      result: {
        scenario,
        crash,
        title,
        converged: false,
        problems: [`the case could not run: ${errorText(error)}`],
        redriven: false,
        durationMs: Date.now() - started,
      },
    };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function pool<T>(items: readonly T[], size: number, work: (item: T, slot: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async (_, slot) => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(item, slot);
      }
    }),
  );
}
