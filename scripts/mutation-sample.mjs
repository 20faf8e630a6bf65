/**
 * `pnpm mutation <engine> --sample N [--seed S]` (docs/decisions/0096-mutation-score-by-sample.md): the mutation
 * score of a seeded uniform random sample of an engine's mutants, for engines too large for a full run.
 *
 * 1. Enumerate every mutant of `src` cheaply: Stryker with the command runner and a command that does nothing
 *    (`exit 0`, coverage off), so each mutant "survives" at once and the report lists them all.
 * 2. Draw N keys with the seed; bench/results/mutation-<engine>-sample.json keeps seed, N, the population, the
 *    keys and the sources' hashes (a changed `src` draws anew).
 * 3. The kit alone on the sample (report `sample-kit`), then the rest of the suite on what the kit left alive
 *    (`sample-rest`): `mutate` ranges of each sampled span, with an ignorer (mutation-sample-ignorer.mjs) that
 *    drops the mutants nested in a span. Only sampled keys are counted.
 *
 * The pure parts (sampleKeys, wilson, spanRange) have no test file: the repo has no tests of scripts/*.mjs; they
 * were checked by hand (see the decision record).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countsAndTime, survivorLines } from './mutation-report.mjs';

/** mulberry32: a small seeded generator, so the same seed draws the same sample on any machine and Node. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * n keys drawn uniformly without replacement (a partial Fisher-Yates shuffle), returned sorted. The keys are
 * sorted first so the draw depends only on the set of mutants, not on the order Stryker reported them in.
 */
export function sampleKeys(keys, n, seed) {
  const pool = [...new Set(keys)].sort();
  if (!Number.isInteger(n) || n < 1 || n > pool.length)
    throw new Error(`--sample takes 1 to ${pool.length} (the number of mutants), not ${n}`);
  const random = generator(seed);
  for (let index = 0; index < n; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick], pool[index]];
  }
  return pool.slice(0, n).sort();
}

/**
 * Wilson score interval for k successes in n draws (z = 1.96: 95 %). Unlike the normal approximation it stays
 * inside [0, 1] and behaves near 0 % and 100 %. Sampling without replacement from a finite population makes the
 * true interval a little narrower (the finite-population correction); it is left out, so this errs wide.
 */
export function wilson(k, n, z = 1.96) {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The Stryker `mutate` range of a mutant's span. Reports give 1-based lines and columns, ranges take 1-based
 * lines and 0-based columns, both ends included; the range covers the mutated node and so every mutant nested in it.
 */
export function spanRange({ path, start, end }) {
  return `${path}:${start.line}:${start.column - 1}-${end.line}:${Math.max(0, end.column - 1)}`;
}

/** A mutant's span as the instrumenter's node locations give it (0-based columns), for the sample ignorer. */
export function nodeSpan({ path, start, end }) {
  return {
    path,
    start: { line: start.line, column: start.column - 1 },
    end: { line: end.line, column: end.column - 1 },
  };
}

export const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** sha256 of every .ts file under the package's src, by path: what the sample was drawn from. */
export function sourceHashes(packageDir) {
  const dir = join(packageDir, 'src');
  return Object.fromEntries(
    readdirSync(dir, { recursive: true })
      .map((file) => String(file).replaceAll('\\', '/'))
      .filter((file) => file.endsWith('.ts'))
      .sort()
      .map((file) => [`src/${file}`, sha256(readFileSync(join(dir, file), 'utf8'))]),
  );
}

const sameHashes = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Runs the sample's stages for one engine and returns the generated report's sections. `tools` are
 * scripts/mutation.mjs's own helpers (runStryker, mutantsOf, score, reportPath, staleFiles, KIT_FILE, UNDETECTED).
 */
export function runSample(engine, { sample: size, seed: chosenSeed, modes, concurrency }, tools) {
  const { runStryker, mutantsOf, score, reportPath, staleFiles, KIT_FILE, UNDETECTED, packageDir } = tools;
  const sampleFile = reportPath(engine, 'sample');
  const hashes = sourceHashes(packageDir);
  const previous = existsSync(sampleFile) ? JSON.parse(readFileSync(sampleFile, 'utf8')) : undefined;
  const seed = chosenSeed ?? (modes.includes('kit') ? Math.floor(Math.random() * 2 ** 32) : previous?.seed);
  let drawn = previous;
  const reusable =
    previous !== undefined &&
    previous.seed === seed &&
    previous.size === size &&
    sameHashes(previous.sources, hashes);
  if (!modes.includes('kit') && !reusable)
    throw new Error(
      `no sample of ${size} with seed ${seed} for the current src: run pnpm mutation ${engine} --sample ${size} --seed ${seed}`,
    );
  if (!reusable) {
    const enumFile = join(tmpdir(), `rotor-mutation-${engine}-enumerate.json`);
    const minutes = runStryker(engine, 'enumerate', {
      mutate: ['src/**/*.ts'],
      env: {},
      concurrency,
      reportFile: enumFile,
      config: {
        testRunner: 'command',
        commandRunner: { command: 'exit 0' },
        coverageAnalysis: 'off',
        plugins: [],
        reporters: ['json'],
      },
    });
    const population = mutantsOf(enumFile);
    rmSync(enumFile, { force: true });
    const byFile = {};
    for (const m of population) byFile[m.path] = (byFile[m.path] ?? 0) + 1;
    drawn = {
      engine,
      seed,
      size,
      population: population.length,
      populationByFile: byFile,
      enumeratedAt: new Date().toISOString(),
      enumerateMinutes: Number(minutes.toFixed(2)),
      sources: hashes,
      keys: sampleKeys(
        population.map((m) => m.key),
        size,
        seed,
      ),
    };
    writeFileSync(sampleFile, `${JSON.stringify(drawn, null, 2)}\n`);
    // A new draw invalidates the stages measured on the old one.
    for (const name of ['sample-kit', 'sample-rest']) rmSync(reportPath(engine, name), { force: true });
  }
  console.log(
    `engine-${engine}: sample of ${drawn.size} from ${drawn.population} mutants, seed ${drawn.seed}`,
  );
  const wanted = new Set(drawn.keys);

  // The statuses of the sampled keys in a stage's report; a key missing or ignored means the ranges are wrong.
  const statusesIn = (name, keys) => {
    const found = new Map(mutantsOf(reportPath(engine, name)).map((m) => [m.key, m]));
    return keys.map((key) => {
      const mutant = found.get(key);
      if (mutant === undefined || mutant.status === 'Ignored')
        throw new Error(`the ${name} run did not test the sampled mutant ${key}`);
      return mutant;
    });
  };
  const stage = (name, mutants, env) => {
    const spansFile = join(tmpdir(), `rotor-mutation-${engine}-${name}-spans.json`);
    const lengths = new Map();
    const lengthOf = (path) => {
      if (!lengths.has(path)) lengths.set(path, readFileSync(join(packageDir, path), 'utf8').length);
      return lengths.get(path);
    };
    writeFileSync(
      spansFile,
      JSON.stringify(mutants.map((m) => ({ ...nodeSpan(m), length: lengthOf(m.path) }))),
    );
    try {
      return runStryker(engine, name, {
        mutate: [...new Set(mutants.map(spanRange))],
        env: { ...env, ROTOR_MUTATION_SAMPLE_SPANS: spansFile },
        concurrency,
        config: {
          plugins: [tools.vitestPlugin, tools.ignorerPlugin],
          ignorers: ['rotor-sample'],
        },
      });
    } finally {
      rmSync(spansFile, { force: true });
    }
  };

  const durations = { enumerate: drawn.enumerateMinutes };
  if (modes.includes('kit')) {
    const placeholders = mutantsOfKeys(drawn.keys);
    durations.kit = stage('sample-kit', placeholders, { ROTOR_TEST_INCLUDE: KIT_FILE });
  } else {
    const stale = staleFiles(engine, reportPath(engine, 'sample-kit'));
    if (stale.length > 0) throw new Error(`src changed since the sample-kit report (${stale.join(', ')})`);
  }
  const kit = statusesIn('sample-kit', drawn.keys);
  const sections = [
    sampleSection(
      'The conformance kit alone (kit, on the sample)',
      score(kit),
      drawn,
      durations.kit,
      concurrency,
    ),
  ];
  if (modes.includes('suite')) {
    const alive = kit.filter((m) => UNDETECTED.has(m.status));
    durations.rest = alive.length === 0 ? 0 : stage('sample-rest', alive, { ROTOR_TEST_EXCLUDE: KIT_FILE });
    const rest =
      alive.length === 0
        ? []
        : statusesIn(
            'sample-rest',
            alive.map((m) => m.key),
          );
    const restByKey = new Map(rest.map((m) => [m.key, m]));
    const suite = kit.map((m) => restByKey.get(m.key) ?? m);
    sections.push(
      sampleSection(
        "The package's whole suite (suite: the kit's results, then the rest of the suite on the sampled mutants the kit left alive)",
        score(suite),
        drawn,
        durations.rest,
        concurrency,
      ),
    );
  }
  return { sections, drawn, wanted };
}

/** A sampled key back to the span it names: `src/x.ts:L:C-L:C mutator replacement`. */
export function mutantsOfKeys(keys) {
  return keys.map((key) => {
    const match = /^(src\/\S+):(\d+):(\d+)-(\d+):(\d+) /.exec(key);
    if (!match) throw new Error(`not a mutant key: ${key}`);
    const [, path, sl, sc, el, ec] = match;
    return {
      key,
      path,
      start: { line: Number(sl), column: Number(sc) },
      end: { line: Number(el), column: Number(ec) },
    };
  });
}

const percent = (x) => `${(100 * x).toFixed(1)} %`;

function sampleSection(title, summary, drawn, minutes, concurrency) {
  const { low, high } = wilson(summary.detected, summary.valid);
  return [
    `## ${title}`,
    '',
    `**Estimate from a random sample**, not a full run: ${drawn.size} of the ${drawn.population} mutants of \`src\`, drawn uniformly with seed ${drawn.seed}.`,
    '',
    `Detected in the sample: ${summary.detected} of ${summary.valid} = **${percent(summary.valid === 0 ? 0 : summary.detected / summary.valid)}**, 95 % Wilson interval ${percent(low)} to ${percent(high)} (${countsAndTime(summary, minutes, concurrency)}.`,
    '',
    'Sampled mutants left alive (file:line mutator → replacement):',
    '',
    ...survivorLines(summary.survivors),
    '',
  ].join('\n');
}
