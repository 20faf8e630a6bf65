#!/usr/bin/env node
/**
 * `pnpm mutation [engine...] [--mode kit|suite] [--continue] [--concurrency N] [--mutate src/file.ts]...
 * [--exclude test]...`:
 * how much of an engine's `src` its tests notice,
 * measured with Stryker (docs/decisions/0130-hostile-checks-and-mutation-score.md). Two scores per engine:
 *
 * - kit: Stryker on `src` with the conformance kit alone (tests/integration/conformance.test.ts);
 * - suite: the package's whole suite. The kit is part of the suite, so this run takes the kit run's report and
 *   puts only the mutants the kit left alive before the rest of the suite (the same mutants, matched by file,
 *   position, mutator and replacement); the suite score is what either detected, over every mutant.
 *   `--mode suite` alone reuses the kit report already in bench/results when `src` has not changed since
 *   (the report holds the sources it mutated; a changed file refuses the reuse), so new tests outside the kit
 *   are measured without another kit run.
 *
 * `--mode suite --continue` runs the suite (minus `--exclude`) only on what the last rest-of-suite run left alive,
 * into rest-2, rest-3, ...: a slow test file left out of the first run can be added in a second one.
 *
 * `--mutate src/file.ts` (repeatable) restricts either run to those files: a kit run then reports on them
 * only, and a suite run takes only their survivors from the kit report.
 *
 * Writes bench/results/mutation-<engine>-{kit,rest}.json (Stryker's reports: every mutant and its status) and
 * bench/results/mutation-<engine>.generated.md (scores, survivors, the machine). Not part of CI.
 *
 * Stryker mutates the sources in place (the workspace's relative imports do not survive its sandbox copy) and
 * restores them when it ends: do not commit while it runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countsAndTime, survivorLines } from './mutation-report.mjs';
import { runSample } from './mutation-sample.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINES = ['postgres', 'redshift', 'elasticache'];
const KIT_FILE = 'tests/integration/conformance.test.ts';
const MODES = ['kit', 'suite'];
const VITEST_PLUGIN = join(
  root,
  'node_modules',
  '@stryker-mutator',
  'vitest-runner',
  'dist',
  'src',
  'index.js',
);

function parseArgs(argv) {
  const args = { engines: [], modes: MODES, concurrency: 2, exclude: [], mutate: [], continue: false };
  args.sample = undefined;
  args.seed = undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--mode') args.modes = [argv[++index]];
    else if (arg === '--concurrency') args.concurrency = Number(argv[++index]);
    // Leaves test files out of the suite run (a lower bound of the suite score, when time is short).
    else if (arg === '--exclude') args.exclude.push(argv[++index]);
    else if (arg === '--mutate') args.mutate.push(argv[++index]);
    // Runs more tests only on what the last rest-of-suite run left alive (say, a slow file left out before).
    else if (arg === '--continue') args.continue = true;
    // Measures a seeded random sample of N mutants instead of all of them (an estimate, with its interval).
    else if (arg === '--sample') args.sample = Number(argv[++index]);
    else if (arg === '--seed') args.seed = Number(argv[++index]);
    else if (arg !== '--') args.engines.push(arg);
  }
  if (args.engines.length === 0) args.engines = ENGINES;
  for (const engine of args.engines)
    if (!ENGINES.includes(engine)) throw new Error(`unknown engine ${engine}`);
  for (const mode of args.modes)
    if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode} (kit or suite)`);
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1)
    throw new Error('--concurrency must be >= 1');
  for (const file of args.mutate)
    if (!/^src\/.+\.ts$/.test(file ?? '')) throw new Error(`--mutate takes a file under src/, not ${file}`);
  if (args.sample !== undefined) {
    if (!Number.isInteger(args.sample) || args.sample < 1)
      throw new Error('--sample must be an integer >= 1');
    if (args.mutate.length > 0 || args.continue || args.exclude.length > 0)
      throw new Error('--sample measures the whole of src: it takes no --mutate, --exclude or --continue');
  }
  if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed >= 2 ** 32))
    throw new Error('--seed must be an integer from 0 to 2^32 - 1');
  if (args.seed !== undefined && args.sample === undefined) throw new Error('--seed goes with --sample N');
  return args;
}

function machine() {
  const cpu = cpus();
  return `${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}; load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')} at start (the machine is shared; durations vary with it)`;
}

/** The n-th rest-of-suite run's report name: rest, then rest-2, rest-3, ... for runs that continue it. */
const restName = (n) => (n === 1 ? 'rest' : `rest-${n}`);

const reportPath = (engine, name) => join(root, 'bench', 'results', `mutation-${engine}-${name}.json`);

/**
 * Runs Stryker in the engine's package; `env` narrows vitest (include or exclude globs), `config` overrides
 * Stryker options (the sample's enumeration and ignorer), `reportFile` puts the report elsewhere.
 */
function runStryker(
  engine,
  name,
  { mutate, env: testEnv, concurrency, config: overrides = {}, reportFile = reportPath(engine, name) },
) {
  const packageDir = join(root, 'packages', `engine-${engine}`);
  const config = {
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: [VITEST_PLUGIN],
    vitest: { configFile: 'vitest.config.ts', related: false },
    mutate,
    inPlace: true,
    concurrency,
    coverageAnalysis: 'perTest',
    timeoutMS: 30_000,
    reporters: ['json', 'progress'],
    jsonReporter: { fileName: reportFile },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    ...overrides,
  };
  const configFile = join(packageDir, `.stryker-${name}.config.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // Engines whose tests support it start their servers once per test-runner process, not once per mutant.
  const env = { ...process.env, ROTOR_SHARE_TEST_SERVERS: '1', ...testEnv };
  const startedAt = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile],
    { cwd: packageDir, env, stdio: 'inherit' },
  );
  rmSync(configFile, { force: true });
  if (result.status !== 0 || !existsSync(reportFile)) {
    throw new Error(`Stryker failed on engine-${engine} (${name}), exit ${result.status}`);
  }
  return (Date.now() - startedAt) / 60_000;
}

/**
 * The files of a kit report whose source is no longer what Stryker mutated: mutant positions in such a file
 * name other code now, so the report cannot be reused.
 */
function staleFiles(engine, reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const packageDir = join(root, 'packages', `engine-${engine}`);
  return Object.entries(report.files)
    .map(([file, { source }]) => ({ path: file.replace(/^.*?src\//, 'src/'), source }))
    .filter(({ path, source }) => {
      const current = join(packageDir, path);
      return !existsSync(current) || readFileSync(current, 'utf8') !== source;
    })
    .map(({ path }) => path);
}

/** Every mutant of a Stryker report, with a key that names it across runs. */
function mutantsOf(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  return Object.entries(report.files).flatMap(([file, { mutants }]) =>
    mutants.map((mutant) => {
      const path = file.replace(/^.*?src\//, 'src/');
      const { start, end } = mutant.location;
      return {
        path,
        start,
        end,
        status: mutant.status,
        mutator: mutant.mutatorName,
        replacement: (mutant.replacement ?? '').replace(/\s+/g, ' '),
        key: `${path}:${start.line}:${start.column}-${end.line}:${end.column} ${mutant.mutatorName} ${mutant.replacement ?? ''}`,
      };
    }),
  );
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function score(mutants) {
  const counts = {};
  for (const mutant of mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const valid = mutants.filter((m) => DETECTED.has(m.status) || UNDETECTED.has(m.status));
  const detected = valid.filter((m) => DETECTED.has(m.status)).length;
  return {
    counts,
    detected,
    valid: valid.length,
    score: valid.length === 0 ? 0 : (100 * detected) / valid.length,
    survivors: valid.filter((m) => UNDETECTED.has(m.status)),
  };
}

function section(title, summary, minutes, concurrency) {
  return [
    `## ${title}`,
    '',
    `Mutation score ${summary.score.toFixed(1)} % (${summary.detected} of ${summary.valid} mutants detected; ${countsAndTime(summary, minutes, concurrency)}.`,
    '',
    'Surviving mutants (file:line mutator → replacement):',
    '',
    ...survivorLines(summary.survivors),
    '',
  ].join('\n');
}

const args = parseArgs(process.argv.slice(2));
const machineAtStart = machine();
// Global setups that share servers between runs load the harness from its build.
const build = spawnSync('pnpm', ['--filter', '@rotor/local-aws', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('building @rotor/local-aws failed');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });

const only = args.mutate.length > 0 ? `; only ${args.mutate.join(', ')}` : '';
const inScope = (mutant) => args.mutate.length === 0 || args.mutate.includes(mutant.path);

for (const engine of args.engines) {
  const sections = [];
  if (args.sample !== undefined) {
    const { sections: sampled } = runSample(engine, args, {
      runStryker,
      mutantsOf,
      score,
      reportPath,
      staleFiles,
      KIT_FILE,
      UNDETECTED,
      packageDir: join(root, 'packages', `engine-${engine}`),
      vitestPlugin: VITEST_PLUGIN,
      ignorerPlugin: join(root, 'scripts', 'mutation-sample-ignorer.mjs'),
    });
    sections.push(...sampled);
  } else if (args.modes.includes('kit')) {
    const minutes = runStryker(engine, 'kit', {
      mutate: args.mutate.length > 0 ? args.mutate : ['src/**/*.ts'],
      env: { ROTOR_TEST_INCLUDE: KIT_FILE },
      concurrency: args.concurrency,
    });
    const kit = score(mutantsOf(reportPath(engine, 'kit')));
    sections.push(section(`The conformance kit alone (kit${only})`, kit, minutes, args.concurrency));
    console.log(`engine-${engine} kit: ${kit.score.toFixed(1)} % (${kit.detected}/${kit.valid})`);
  } else if (existsSync(reportPath(engine, 'kit'))) {
    const kit = score(mutantsOf(reportPath(engine, 'kit')).filter(inScope));
    sections.push(
      section(
        `The conformance kit alone (kit, from its earlier run${only})`,
        kit,
        undefined,
        args.concurrency,
      ),
    );
  }
  if (args.sample === undefined && args.modes.includes('suite')) {
    if (!existsSync(reportPath(engine, 'kit')))
      throw new Error(`run the kit first: pnpm mutation ${engine} --mode kit`);
    // Earlier rest-of-suite runs this one continues (--continue), oldest first; a fresh run replaces them all.
    const earlier = [];
    while (existsSync(reportPath(engine, restName(earlier.length + 1))))
      earlier.push(restName(earlier.length + 1));
    if (args.continue && earlier.length === 0)
      throw new Error(`nothing to continue: run pnpm mutation ${engine} --mode suite first`);
    if (!args.continue) for (const name of earlier) rmSync(reportPath(engine, name));
    const stages = args.continue ? earlier : [];
    for (const name of ['kit', ...stages]) {
      const stale = staleFiles(engine, reportPath(engine, name));
      if (stale.length > 0)
        throw new Error(
          `src changed since the ${name} report (${stale.join(', ')}): run pnpm mutation ${engine} --mode kit again`,
        );
    }
    const kitMutants = mutantsOf(reportPath(engine, 'kit')).filter(inScope);
    // Each run tested what the runs before it left alive: its statuses replace theirs for those mutants.
    const applyStage = (mutants, name) => {
      const statuses = new Map(mutantsOf(reportPath(engine, name)).map((m) => [m.key, m.status]));
      return mutants.map((m) => {
        if (!UNDETECTED.has(m.status)) return m;
        const status = statuses.get(m.key);
        if (status === undefined) throw new Error(`the ${name} run did not test ${m.key}`);
        return { ...m, status };
      });
    };
    const before = stages.reduce(applyStage, kitMutants);
    const alive = before.filter((m) => UNDETECTED.has(m.status));
    const stageName = restName(stages.length + 1);
    // Stryker's ranges: 1-based lines, 0-based columns, both ends included.
    const ranges = [
      ...new Set(
        alive.map(
          (m) =>
            `${m.path}:${m.start.line}:${m.start.column - 1}-${m.end.line}:${Math.max(0, m.end.column - 1)}`,
        ),
      ),
    ];
    const minutes =
      ranges.length === 0
        ? 0
        : runStryker(engine, stageName, {
            mutate: ranges,
            env: { ROTOR_TEST_EXCLUDE: [KIT_FILE, ...args.exclude].join(',') },
            concurrency: args.concurrency,
          });
    const suite = score(ranges.length === 0 ? before : applyStage(before, stageName));
    sections.push(
      section(
        `The package's whole suite (suite: the kit's results, then the rest of the suite on the kit's survivors${stages.length > 0 ? `, continuing ${stages.join(', ')}` : ''}${args.exclude.length > 0 ? `; ${stageName} left out: ${args.exclude.join(', ')}` : ''}${only})`,
        suite,
        minutes,
        args.concurrency,
      ),
    );
    console.log(`engine-${engine} suite: ${suite.score.toFixed(1)} % (${suite.detected}/${suite.valid})`);
  }
  const file = join(root, 'bench', 'results', `mutation-${engine}.generated.md`);
  writeFileSync(
    file,
    [
      `# pnpm mutation: engine-${engine}`,
      '',
      `Machine: ${machineAtStart}; finished ${new Date().toISOString()}.`,
      '',
      ...sections,
    ].join('\n'),
  );
  console.log(`wrote ${file}`);
}
