#!/usr/bin/env node
// Type-checks the TypeScript code blocks of the documentation against the workspace packages, so the
// examples people copy compile. Reads every README.md (outside node_modules) and docs/*.md; each ```ts
// (or ```typescript) block becomes one module. A block that is deliberately partial is marked
// ```ts snippet-skip <reason> (the reason is required). Imports of @rotor/* resolve to the packages'
// sources; other modules resolve from the package the README belongs to (docs and the root README: core).
// Quiet: one line when every block compiles, `file.md:line: TSnnnn message` for each error otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SNIPPET_DIR = '.doc-snippets';
const FENCE = /^```(ts|typescript)(?:\s+(.*))?$/;

function markdownFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'README.md') found.push(path);
    }
  };
  walk(root);
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const name of readdirSync(docs)) {
      if (name.endsWith('.md') && statSync(join(docs, name)).isFile()) found.push(join(docs, name));
    }
  }
  return found.sort();
}

/** The ```ts blocks of a markdown file: { line (1-based, first code line), code, skip }. */
function blocksOf(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i].trim());
    if (!open) continue;
    const info = (open[2] ?? '').trim();
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].trim().startsWith('```')) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n'), info });
    i = end;
  }
  return blocks;
}

/** Where a markdown file's snippets live, so bare imports resolve from that package's dependencies. */
function hostOf(file) {
  const rel = relative(root, file).split('/');
  if ((rel[0] === 'packages' || rel[0] === 'apps') && rel.length > 2) return join(root, rel[0], rel[1]);
  return join(root, 'packages/core');
}

/** tsconfig `paths` for every @rotor/* export, to its source (the `@rotor/source` condition). */
function workspacePaths() {
  const paths = {};
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const manifestFile = join(root, group, name, 'package.json');
      if (!existsSync(manifestFile)) continue;
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        const source = typeof target === 'object' ? target['@rotor/source'] : undefined;
        if (typeof source !== 'string') continue;
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        paths[specifier] = [join(root, group, name, source)];
      }
    }
  }
  return paths;
}

const snippets = [];
const problems = [];
let skipped = 0;
for (const file of markdownFiles()) {
  for (const block of blocksOf(file)) {
    const where = `${relative(root, file)}:${block.line}`;
    if (/^snippet-skip\b/.test(block.info)) {
      if (block.info.replace(/^snippet-skip\b/, '').trim().length === 0) {
        problems.push(
          `${where}: snippet-skip needs a reason (\`\`\`ts snippet-skip <why this block cannot compile>)`,
        );
      }
      skipped++;
      continue;
    }
    snippets.push({ file, line: block.line, code: block.code, host: hostOf(file) });
  }
}
// A block that cannot compile, checked with the others: the checker must report it, or it checks nothing.
const canary = {
  file: join(root, 'README.md'),
  line: 0,
  code: "const canary: number = 'text';\nexport {};",
  host: join(root, 'packages/core'),
  canary: true,
};
snippets.push(canary);

const hosts = [...new Set(snippets.map((snippet) => snippet.host))];
const configDir = join(root, '.rotor-tmp', 'doc-snippets');
try {
  mkdirSync(configDir, { recursive: true });
  const counters = new Map();
  for (const snippet of snippets) {
    const dir = join(snippet.host, SNIPPET_DIR);
    mkdirSync(dir, { recursive: true });
    const index = (counters.get(dir) ?? 0) + 1;
    counters.set(dir, index);
    snippet.path = join(dir, `snippet-${index}.ts`);
    // `export {}` keeps a block without imports a module (its own scope, top-level await allowed).
    writeFileSync(snippet.path, `${snippet.code}\nexport {};\n`);
  }
  writeFileSync(
    join(configDir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, allowImportingTsExtensions: true, paths: workspacePaths() },
      files: snippets.map((snippet) => snippet.path),
    }),
  );
  const run = spawnSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(configDir, 'tsconfig.json'), '--pretty', 'false'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  const byPath = new Map(snippets.map((snippet) => [resolve(snippet.path), snippet]));
  let canaryReported = false;
  for (const line of run.stdout.split('\n')) {
    const match = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (!match) continue;
    const snippet = byPath.get(resolve(root, match[1]));
    if (!snippet) continue; // errors inside the packages are typecheck's to report
    if (snippet.canary) {
      canaryReported = true;
      continue;
    }
    problems.push(
      `${relative(root, snippet.file)}:${snippet.line + Number(match[2]) - 1}: ${match[3]} ${match[4]}`,
    );
  }
  if (!canaryReported) {
    problems.push(
      `the checker did not report a block that cannot compile (tsc said: ${(run.stdout + run.stderr).trim().slice(0, 300)})`,
    );
  }
} finally {
  for (const host of hosts) rmSync(join(host, SNIPPET_DIR), { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.log(
    `doc snippets: ${problems.length} problem(s)\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `doc snippets: ${snippets.length - 1} TypeScript blocks compile (${skipped} marked snippet-skip)`,
);
