/**
 * Lambda builds write into a staging directory and replace `dist/` only when the build succeeded, so a
 * test or the demo reading `dist/` while a build runs never finds it half-written or empty, and a build
 * that fails its size budget leaves the previous artifact in place.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh, empty staging directory beside `finalDir`. */
export function startBuildOutput(finalDir) {
  const staging = `${finalDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Swaps the staging directory in as `finalDir` (two renames: the window without `finalDir` is tiny). */
export function publishBuildOutput(staging, finalDir) {
  const previous = `${finalDir}.previous-${process.pid}`;
  if (existsSync(finalDir)) renameSync(finalDir, previous);
  renameSync(staging, finalDir);
  rmSync(previous, { recursive: true, force: true });
}

export function discardBuildOutput(staging) {
  rmSync(staging, { recursive: true, force: true });
}

/**
 * esbuild options every Rotor Lambda bundle shares: one minified ESM file per entry for Node 20+ (runs on
 * the nodejs22.x runtime), source maps without sources, and a metafile for size reports.
 */
export const lambdaBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace packages from their TypeScript sources. Listing conditions drops esbuild's default `module`
  // condition; without it the AWS SDK's @smithy/* resolve to CommonJS builds, which do not tree-shake.
  conditions: ['@rotor/source', 'module'],
  mainFields: ['module', 'main'],
  minify: true,
  // No keepNames: Rotor's errors set `name` explicitly, which is what Lambda reports as errorType.
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // pg loads its optional native binding only when pg.native is read, which Rotor never does.
  external: ['pg-native'],
  // pg, ioredis and parts of the SDK are CommonJS and require() Node built-ins; ESM has no `require`.
  banner: {
    js: "import { createRequire as __rotorCreateRequire } from 'node:module'; const require = __rotorCreateRequire(import.meta.url);",
  },
};

/** Every file below `directory`, recursively. */
export function listFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

/**
 * What a cold start loads: the entry output and every chunk it imports statically, transitively (paths as
 * esbuild's metafile names them, relative to its working directory). Chunks reached only by dynamic import
 * are left out.
 */
export function eagerOutputs(metafile, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}
