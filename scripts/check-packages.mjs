#!/usr/bin/env node
// Checks that every library package under packages/ can be installed by someone outside this repository:
// it packs each one as `pnpm pack` would publish it (workspace: ranges rewritten), then runs publint and
// @arethetypeswrong/cli (ESM-only profile) on the tarball and checks its contents: no tests, every export
// and bin target present, types for every export, source maps whose sources are in the tarball, the
// LICENSE. Prints one line per package; details only for a package that fails. Builds first (turbo
// caches the packages' dist).
//
//   node scripts/check-packages.mjs [package-dir ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const MAX_PROBLEMS_SHOWN = 5;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);

/** Library packages: every non-private package under packages/ (apps/ holds the deployables). */
function libraryPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name))
    .filter((dir) => {
      try {
        return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private;
      } catch {
        return false;
      }
    });
}

/** Reads a .tgz into { path -> Buffer } (paths without the leading `package/`). */
function readTarball(file) {
  const data = gunzipSync(readFileSync(file));
  const files = new Map();
  for (let offset = 0; offset + 512 <= data.length; ) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^package\//, '');
    if (type === '0' || type === '') files.set(path, data.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Every file path an exports map (or bin) points at, with the condition chain that leads there. */
function exportTargets(value, trail = []) {
  if (typeof value === 'string') return [{ trail, target: value }];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...trail, key]));
  }
  return [];
}

const TEST_PATH =
  /(^|\/)(tests?|__tests__|fixtures)\/|\.(test|spec)\.[cm]?[jt]sx?$|\.test-d\.ts$|test-results\.json$|\.tsbuildinfo$|vitest\.config\./;

function contentProblems(manifest, files) {
  const problems = [];
  const has = (target) => files.has(posix.normalize(target.replace(/^\.\//, '')));
  for (const path of files.keys()) {
    if (TEST_PATH.test(path)) problems.push(`test file published: ${path}`);
  }
  if (!files.has('LICENSE')) problems.push('no LICENSE in the tarball');
  else if (!files.get('LICENSE').toString('utf8').includes('Apache License'))
    problems.push('LICENSE is not the Apache-2.0 text');
  if (!files.has('README.md')) problems.push('no README.md in the tarball');
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    const targets = exportTargets(entry);
    for (const { trail, target } of targets) {
      if (!has(target))
        problems.push(`exports["${subpath}"] ${trail.join('.')} -> ${target} is not in the tarball`);
    }
    if (subpath !== './package.json' && !targets.some(({ trail }) => trail.includes('types'))) {
      problems.push(`exports["${subpath}"] has no types`);
    }
  }
  for (const target of Object.values(
    typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}),
  )) {
    if (!has(target)) problems.push(`bin ${target} is not in the tarball`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is still ${range}`);
    }
  }
  for (const [path, content] of files) {
    if (!path.endsWith('.map')) continue;
    let map;
    try {
      map = JSON.parse(content.toString('utf8'));
    } catch {
      problems.push(`${path} is not JSON`);
      continue;
    }
    for (const source of map.sources ?? []) {
      const resolved = posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? '', source));
      if (!files.has(resolved)) problems.push(`${path} points at ${source}, which is not in the tarball`);
    }
  }
  return problems;
}

async function publintProblems(tarball) {
  const data = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: 'warning',
    strict: true,
  });
  return messages.map(
    (message) => `publint ${message.type}: ${formatMessage(message, pkg, { color: false })}`,
  );
}

function attwProblems(tarball) {
  const run = spawnSync(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    return [`attw did not run: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' ')}`];
  }
  const problems = Array.isArray(report.problems)
    ? report.problems
    : Object.values(report.problems ?? {}).flat();
  // The esm-only profile: these packages are ESM only (decision 0001), so node10 and require() from
  // CommonJS are out of scope (the JSON report lists them; the profile only hides them from its table).
  return problems
    .filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind))
    .map(
      (problem) =>
        `attw ${problem.kind}${problem.entrypoint ? ` at "${problem.entrypoint}"` : ''}${problem.resolutionKind ? ` (${problem.resolutionKind})` : ''}`,
    );
}

/**
 * The content checks must be able to fail: a tarball with one of each defect must yield one problem
 * for each, and a clean one none. Runs before the real check (a few milliseconds).
 */
function selfTest() {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-pack-self-test-'));
  try {
    const make = (name, entries) => {
      const base = join(dir, name, 'package');
      for (const [path, content] of Object.entries(entries)) {
        mkdirSync(dirname(join(base, path)), { recursive: true });
        writeFileSync(join(base, path), content);
      }
      const file = join(dir, `${name}.tgz`);
      execFileSync('tar', ['-czf', file, '-C', join(dir, name), 'package']);
      return readTarball(file);
    };
    const manifest = {
      name: 'x',
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './package.json': './package.json',
      },
      dependencies: { y: '1.0.0' },
    };
    const clean = {
      'package.json': JSON.stringify(manifest),
      'README.md': '# x',
      LICENSE: 'Apache License',
      'dist/index.js': '',
      'dist/index.d.ts': '',
      'dist/index.js.map': JSON.stringify({ sources: ['../src/index.ts'] }),
      'src/index.ts': '',
    };
    const cleanProblems = contentProblems(manifest, make('clean', clean));
    const broken = {
      ...clean,
      'tests/unit/x.test.ts': '',
      'dist/index.js.map': JSON.stringify({ sources: ['../src/gone.ts'] }),
    };
    delete broken.LICENSE;
    delete broken['dist/index.d.ts'];
    const brokenManifest = { ...manifest, dependencies: { y: 'workspace:*' } };
    const brokenProblems = contentProblems(brokenManifest, make('broken', broken)).join('\n');
    const expected = [
      /test file published: tests\/unit\/x\.test\.ts/,
      /no LICENSE/,
      /index\.d\.ts is not in the tarball/,
      /gone\.ts, which is not in the tarball/,
      /still workspace:\*/,
    ];
    const missed = expected.filter((pattern) => !pattern.test(brokenProblems));
    if (cleanProblems.length > 0 || missed.length > 0) {
      console.log(
        `packages: self-test failed (clean: ${cleanProblems.join('; ') || 'none'}; not reported: ${missed.join(', ') || 'none'})`,
      );
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

selfTest();
const requested = process.argv.slice(2).map((dir) => join(process.cwd(), dir));
const packages = requested.length > 0 ? requested : libraryPackages();

const build = spawnSync(
  bin('turbo'),
  [
    'run',
    'build',
    '--output-logs=errors-only',
    ...packages.map((dir) => `--filter=./${relative(root, dir)}`),
  ],
  { cwd: root, encoding: 'utf8' },
);
if (build.status !== 0) {
  console.log(
    `packages: build failed\n${(build.stdout + build.stderr).trim().split('\n').slice(-40).join('\n')}`,
  );
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), 'rotor-pack-'));
let failed = 0;
try {
  for (const dir of packages) {
    const manifestInRepo = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const name = manifestInRepo.name;
    let problems;
    let summary = '';
    try {
      const packed = execFileSync('pnpm', ['pack', '--pack-destination', out], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tarball = packed.trim().split('\n').pop().trim();
      const files = readTarball(tarball);
      const manifest = JSON.parse(files.get('package.json').toString('utf8'));
      problems = [
        ...contentProblems(manifest, files),
        ...(await publintProblems(tarball)),
        ...attwProblems(tarball),
      ];
      const bytes = [...files.values()].reduce((sum, content) => sum + content.length, 0);
      summary = `${files.size} files, ${(bytes / 1024).toFixed(0)} kB unpacked`;
    } catch (error) {
      problems = [
        `could not pack or read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      ];
    }
    if (problems.length === 0) {
      console.log(`ok    ${name} (${summary})`);
    } else {
      failed++;
      // At most a few lines per package, so a failure stays visible at the end of CI's output.
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `        ${problem}`);
      if (problems.length > MAX_PROBLEMS_SHOWN) {
        shown.push(
          `        (+${problems.length - MAX_PROBLEMS_SHOWN} more problems of the same kind or others)`,
        );
      }
      console.log(`FAIL  ${name}\n${shown.join('\n')}`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.log(`packages: ${failed} of ${packages.length} not publishable`);
  process.exit(1);
}
