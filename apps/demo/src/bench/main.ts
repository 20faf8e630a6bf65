/**
 * `pnpm bench`: prints the tables and writes bench/results/<name>.json and .md (see bench/README.md).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrategyId } from '@rotor/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { REPO_ROOT } from '../environment/bundles.js';
import { MissingBinaryError } from '../environment/servers.js';
import type { DemoEngine } from '../scenarios/scenario.js';
import { NAIVE_TTL_MS } from '../workload/naive-secret-reader.js';
import { type BenchOptions, type BenchReport, renderBenchReport, runBench } from './run-bench.js';
import { evaluateTargets, renderTargetLines } from './targets.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl+C, a closed terminal or a kill: exit through process.exit so the harness's exit hook stops the
// servers it started (a signal's default action would leave them running).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers.\n`);
    process.exit(130);
  });
}

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return n;
};
const list =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0 || items.some((item) => !allowed.includes(item as T))) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}`);
    }
    return items as T[];
  };

const PHASES = ['timing', 'logins', 'bundles', 'scale', 'reconnect', 'sweep', 'storm', 'client'] as const;
const program = new Command('pnpm bench')
  .description('Rotation measurements on the local endpoint with the real bundles and servers (not a test).')
  .addOption(
    new Option('--engines <list>', 'engines, comma-separated')
      .argParser(list<DemoEngine>(['elasticache', 'redshift']))
      .default(['elasticache', 'redshift'], 'elasticache,redshift'),
  )
  .addOption(
    new Option('--strategies <list>', 'strategies where the engine supports them')
      .argParser(list<StrategyId>(['dual-password', 'single-user', 'alternating-users']))
      .default(['dual-password', 'single-user', 'alternating-users'], 'all'),
  )
  .addOption(
    new Option('--rotations <n>', 'rotations per scenario, timing phase')
      .argParser(integer(1, 10_000))
      .default(50),
  )
  .addOption(
    new Option('--login-rotations <n>', 'rotations per scenario, login phase')
      .argParser(integer(1, 1_000))
      .default(6),
  )
  .addOption(
    new Option('--spacing-ms <ms>', 'pause between login-phase rotations')
      .argParser(integer(0, 600_000))
      .default(NAIVE_TTL_MS + 1_000),
  )
  .addOption(
    new Option('--login-workers <n>', 'login-phase workers per client kind (rotor, naive)')
      .argParser(integer(1, 64))
      .default(4),
  )
  .addOption(
    new Option('--login-interval-ms <ms>', "pause between one worker's logins")
      .argParser(integer(0, 10_000))
      .default(20),
  )
  .addOption(
    new Option('--modifying-delay-ms <ms>', 'ElastiCache modifying delay')
      .argParser(integer(0, 600_000))
      .default(1_000),
  )
  .addOption(
    new Option('--import-runs <n>', 'fresh processes per bundle import measurement')
      .argParser(integer(1, 100))
      .default(7),
  )
  .addOption(
    new Option('--scale-sizes <list>', 'secrets per scale run')
      .argParser((value: string) => value.split(',').map((n) => integer(1, 100_000)(n.trim())))
      .default([10, 100, 1000], '10,100,1000'),
  )
  .addOption(
    new Option('--scale-concurrency <n>', 'rotations at a time in the scale phase')
      .argParser(integer(1, 200))
      .default(10),
  )
  .addOption(
    new Option('--scale-modifying-delay-ms <ms>', 'ElastiCache modifying delay in the scale phase')
      .argParser(integer(0, 60_000))
      .default(100),
  )
  .addOption(
    new Option('--reconnect-connections <n>', 'connections per driver and variant, reconnect phase')
      .argParser(integer(1, 100_000))
      .default(200),
  )
  .addOption(
    new Option('--sweep-delays <list>', 'ElastiCache modifying delays of the sweep phase, in seconds')
      .argParser((value: string) => value.split(',').map((n) => integer(0, 900)(n.trim()) * 1000))
      .default(
        [1, 2, 5, 10, 30, 60, 120].map((s) => s * 1000),
        '1,2,5,10,30,60,120',
      ),
  )
  .addOption(
    new Option('--sweep-rotations <n>', 'rotations measured at each delay of the sweep')
      .argParser(integer(1, 100))
      .default(2),
  )
  .addOption(
    new Option('--storm-sizes <list>', 'rotations started at once per storm run (throttled endpoint)')
      .argParser((value: string) => value.split(',').map((n) => integer(1, 10_000)(n.trim())))
      .default([10, 100, 1000], '10,100,1000'),
  )
  .addOption(
    new Option('--phases <list>', 'timing, logins, bundles, scale, reconnect, sweep, storm, client')
      .argParser(list(PHASES))
      .default([...PHASES], 'all'),
  )
  .option(
    '--check',
    'quick subset (a few minutes): one line per issue 17 target, measured / bound / ok or FAIL; exits 1 on a FAIL; writes no results',
  )
  .option(
    '--name <name>',
    'results file name under bench/results/',
    `bench-${new Date().toISOString().slice(0, 10)}`,
  )
  .exitOverride();

let parsed: ReturnType<typeof program.opts>;
try {
  program.parse(process.argv.slice(2), { from: 'user' });
  parsed = program.opts();
} catch (error) {
  process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
}
const check = parsed.check === true;
const phases = check ? ['timing', 'bundles', 'sweep', 'storm', 'client'] : (parsed.phases as string[]);
const options: BenchOptions = {
  engines: parsed.engines,
  strategies: parsed.strategies,
  rotations: check ? 3 : parsed.rotations,
  loginRotations: parsed.loginRotations,
  spacingMs: parsed.spacingMs,
  loginWorkers: parsed.loginWorkers,
  loginIntervalMs: parsed.loginIntervalMs,
  modifyingDelayMs: parsed.modifyingDelayMs,
  importRuns: check ? 5 : parsed.importRuns,
  scaleSizes: parsed.scaleSizes,
  scaleConcurrency: parsed.scaleConcurrency,
  scaleModifyingDelayMs: parsed.scaleModifyingDelayMs,
  reconnectConnections: parsed.reconnectConnections,
  sweepDelaysMs: check ? [1_000, 2_000, 5_000] : parsed.sweepDelays,
  sweepRotations: check ? 1 : parsed.sweepRotations,
  stormSizes: check ? [10, 50] : parsed.stormSizes,
  phases: {
    timing: phases.includes('timing'),
    logins: phases.includes('logins'),
    bundles: phases.includes('bundles'),
    scale: phases.includes('scale'),
    reconnect: phases.includes('reconnect'),
    sweep: phases.includes('sweep'),
    storm: phases.includes('storm'),
    client: phases.includes('client'),
  },
};

if (check) {
  try {
    const report = await runBench(options, (line) => process.stdout.write(`${line}\n`));
    const lines = evaluateTargets(report);
    process.stdout.write(`\n${renderTargetLines(lines)}`);
    process.exitCode = lines.every((line) => line.ok) ? 0 : 1;
  } catch (error) {
    process.stderr.write(`pnpm bench --check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
} else
  try {
    const dir = join(REPO_ROOT, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    const base = join(dir, String(parsed.name));
    const save = async (report: BenchReport) => {
      await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
      await writeFile(
        `${base}.md`,
        `# pnpm bench ${String(parsed.name)}\n\n\`\`\`\n${renderBenchReport(report)}\`\`\`\n`,
      );
    };
    const report = await runBench(options, (line) => process.stdout.write(`${line}\n`), save);
    await save(report);
    process.stdout.write(`\n${renderBenchReport(report)}`);
    process.stdout.write(`Wrote ${base}.json and ${base}.md\n`);
  } catch (error) {
    process.stderr.write(
      `pnpm bench: ${error instanceof MissingBinaryError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
