/**
 * `pnpm crash`: the crash matrix over Rotor's engines (see docs/decisions/0053-crash-matrix.md). Exit codes:
 * 0 every point converged, 1 some failed, 2 bad input (unknown scenario, missing server binary).
 */
import { MissingBinaryError } from '@rotor/local-aws/harness';
import { type CrashCaseResult, runCrashMatrix, summaryLine } from '@rotor/testkit/crash';
import type { BundledEngine } from '../environment/bundles.js';
import { parseCrashArgs } from './crash-options.js';
import { openCrashEnvironment } from './environment.js';
import { SCENARIO_SPECS } from './scenarios/index.js';
import { selectSubset } from './subsets.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers.\n`);
    process.exit(130);
  });
}

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);
const parsed = parseCrashArgs(process.argv.slice(2), { out, err });

if (parsed.kind === 'exit') {
  process.exitCode = parsed.code;
} else if (parsed.kind === 'list') {
  for (const spec of SCENARIO_SPECS) out(`${spec.name}\n`);
} else {
  const { options } = parsed;
  const engines = new Set<BundledEngine>(options.scenarios.map((spec) => spec.engine));
  let env: Awaited<ReturnType<typeof openCrashEnvironment>> | undefined;
  try {
    env = await openCrashEnvironment(engines, options.verbose ? (line) => err(`${line}\n`) : () => {}, {
      rebuild: options.rebuild,
      slots: options.concurrency,
    });
  } catch (error) {
    if (error instanceof MissingBinaryError) {
      err(`pnpm crash: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const printFailure = (result: CrashCaseResult) => {
    err(
      `FAILED ${result.scenario}: ${result.title}\n${result.problems.map((problem) => `  - ${problem}\n`).join('')}`,
    );
  };
  try {
    const outcome = await runCrashMatrix({
      scenarios: options.scenarios.map((spec) => spec.create(env!)),
      modes: options.modes,
      concurrency: options.concurrency,
      select: (cases, calls) => selectSubset(options.subset, cases, calls),
      onScenarioStart(scenario, cases) {
        if (options.verbose) out(`${scenario}: ${cases} cases\n`);
      },
      onScenarioEnd(scenario, figures) {
        if (options.quiet) return;
        out(
          `${scenario}: ${figures.points} points, ${figures.converged} converged, ${figures.failed} failed (${Math.round(figures.durationMs / 1000)} s)\n`,
        );
      },
      onResult(result) {
        if (!result.converged) printFailure(result);
        else if (options.verbose) {
          out(
            `ok ${result.scenario}: ${result.title}${result.redriven ? ' (re-driven)' : ''} ${result.durationMs} ms\n`,
          );
        }
      },
    });
    out(`${summaryLine(outcome)}\n`);
    process.exitCode = outcome.failed === 0 ? 0 : 1;
  } finally {
    await env.stop();
  }
}
