#!/usr/bin/env node
/**
 * `pnpm mutation [engine...] [--mode kit|suite] [--concurrency N]`: Stryker on each engine package's `src`,
 * twice: with the conformance kit alone (tests/integration/conformance.test.ts) and with the package's whole
 * suite. Writes bench/results/mutation-<engine>-<mode>.json (Stryker's report: every mutant and its status)
 * and adds the scores and surviving mutants to bench/results/mutation-<engine>.md, with the machine described.
 * Not part of CI: it takes many minutes per engine (docs/decisions/0130-mutation-score.md).
 *
 * Stryker mutates the sources in place (`inPlace`: the workspace's relative imports do not survive a sandbox
 * copy) and restores them when it ends; do not commit while it runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINES = ['postgres', 'redshift', 'elasticache'];
const MODES = {
  kit: { include: 'tests/integration/conformance.test.ts', label: 'the conformance kit alone' },
  suite: { include: undefined, label: "the package's whole suite" },
};

function parseArgs(argv) {
  const args = { engines: [], modes: Object.keys(MODES), concurrency: 2 };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--mode') args.modes = [argv[++index]];
    else if (arg === '--concurrency') args.concurrency = Number(argv[++index]);
    else if (arg === '--') continue;
    else args.engines.push(arg);
  }
  if (args.engines.length === 0) args.engines = ENGINES;
  for (const engine of args.engines)
    if (!ENGINES.includes(engine)) throw new Error(`unknown engine ${engine}`);
  for (const mode of args.modes) if (!(mode in MODES)) throw new Error(`unknown mode ${mode} (kit or suite)`);
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1)
    throw new Error('--concurrency must be >= 1');
  return args;
}

function machine() {
  const cpu = cpus();
  return `${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}; load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')} at start (the machine is shared; durations vary with it)`;
}

/**
 * The kit run starts from scratch and records Stryker's incremental file; the suite run starts from a copy of
 * it, so the mutants the kit already killed (the kit is part of the suite) are not run again and only the kit's
 * survivors meet the rest of the suite. A suite run without a kit run before it tests everything.
 */
function incrementalFile(packageDir, mode) {
  const kit = join(packageDir, '.stryker-incremental-kit.json');
  if (mode === 'kit') {
    rmSync(kit, { force: true });
    return kit;
  }
  const suite = join(packageDir, '.stryker-incremental-suite.json');
  rmSync(suite, { force: true });
  if (existsSync(kit)) copyFileSync(kit, suite);
  return suite;
}

function runStryker(engine, mode, concurrency) {
  const packageDir = join(root, 'packages', `engine-${engine}`);
  const reportFile = join(root, 'bench', 'results', `mutation-${engine}-${mode}.json`);
  const config = {
    $schema:
      'https://raw.githubusercontent.com/stryker-mutator/stryker/master/packages/core/schema/stryker-schema.json',
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: [join(root, 'node_modules', '@stryker-mutator', 'vitest-runner', 'dist', 'src', 'index.js')],
    vitest: { configFile: 'vitest.config.ts', related: false },
    mutate: ['src/**/*.ts'],
    inPlace: true,
    concurrency,
    coverageAnalysis: 'perTest',
    timeoutMS: 30_000,
    reporters: ['json', 'progress'],
    jsonReporter: { fileName: reportFile },
    incremental: true,
    incrementalFile: incrementalFile(packageDir, mode),
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
  const configFile = join(packageDir, `.stryker-${mode}.config.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // Engines whose tests support it start their servers once per test-runner process, not once per mutant.
  const env = { ...process.env, ROTOR_SHARE_TEST_SERVERS: '1' };
  if (MODES[mode].include) env.ROTOR_TEST_INCLUDE = MODES[mode].include;
  else delete env.ROTOR_TEST_INCLUDE;
  const startedAt = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile],
    { cwd: packageDir, env, stdio: 'inherit' },
  );
  rmSync(configFile, { force: true });
  if (result.status !== 0 || !existsSync(reportFile)) {
    throw new Error(`Stryker failed on engine-${engine} (${mode}), exit ${result.status}`);
  }
  return { reportFile, minutes: (Date.now() - startedAt) / 60_000 };
}

/** Stryker's mutation score: killed (and timed out) over all valid mutants, as its own report counts them. */
function summarize(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = {};
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
        survivors.push({
          file: file.replace(/^.*?src\//, 'src/'),
          line: mutant.location.start.line,
          mutator: mutant.mutatorName,
          replacement: (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
          status: mutant.status,
        });
      }
    }
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { counts, detected, valid, score: valid === 0 ? 0 : (100 * detected) / valid, survivors };
}

const args = parseArgs(process.argv.slice(2));
const machineAtStart = machine();
// Global setups that share servers between runs load the harness from its build.
const build = spawnSync('pnpm', ['--filter', '@rotor/local-aws', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('building @rotor/local-aws failed');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
for (const engine of args.engines) {
  const sections = [];
  for (const mode of args.modes) {
    const { reportFile, minutes } = runStryker(engine, mode, args.concurrency);
    const summary = summarize(reportFile);
    sections.push(
      [
        `## ${MODES[mode].label} (${mode})`,
        '',
        `Mutation score ${summary.score.toFixed(1)} % (${summary.detected} of ${summary.valid} mutants detected; ${Object.entries(
          summary.counts,
        )
          .map(([status, n]) => `${status} ${n}`)
          .join(', ')}), ${minutes.toFixed(1)} min with concurrency ${args.concurrency}.`,
        '',
        'Surviving mutants (file:line mutator → replacement):',
        '',
        ...summary.survivors.map(
          (s) =>
            `- ${s.file}:${s.line} ${s.mutator}${s.status === 'NoCoverage' ? ' (no test runs it)' : ''} → \`${s.replacement.replaceAll('`', "'")}\``,
        ),
        '',
      ].join('\n'),
    );
    console.log(
      `engine-${engine} ${mode}: ${summary.score.toFixed(1)} % (${summary.detected}/${summary.valid})`,
    );
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
