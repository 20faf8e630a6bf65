/**
 * Builds the Lambda artifact: one minified ESM bundle (dist/index.mjs, handler `index.handler`, runtime
 * nodejs22.x) with pg and the AWS SDK clients inside, a deployable zip, and the size budget check.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  discardBuildOutput,
  eagerOutputs,
  lambdaBundleOptions,
  listFiles,
  publishBuildOutput,
  startBuildOutput,
} from '../../../scripts/lambda-build.mjs';
import { createZip } from './zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** `dist/` unless ROTOR_BUILD_OUTDIR names another directory (tests build into their own temp dir). */
const finalDist = process.env.ROTOR_BUILD_OUTDIR ?? join(root, 'dist');
const dist = startBuildOutput(finalDist);
const bundlePath = join(dist, 'index.mjs');
const zipPath = join(dist, 'redshift-rotation.zip');
/** The aim for the minified bundle: a build over it fails. */
const MINIFIED_BUDGET_BYTES = 600 * 1024;

const result = await build({
  ...lambdaBundleOptions,
  entryPoints: { index: join(root, 'src/index.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  // Code loaded by dynamic import (the Redshift / Redshift Serverless lookups for Redshift-managed admin
  // secrets) goes to separate chunks, off the cold-start path and out of the budget below.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  absWorkingDir: root,
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));

const artifacts = listFiles(dist)
  .filter((file) => file.endsWith('.mjs') || file.endsWith('.mjs.map'))
  .sort();
const zip = createZip(artifacts.map((file) => ({ name: relative(dist, file), data: readFileSync(file) })));
writeFileSync(zipPath, zip);

const eager = eagerOutputs(result.metafile, relative(root, bundlePath)).map((file) => join(root, file));
const eagerBytes = eager.reduce((sum, file) => sum + statSync(file).size, 0);
const allCodeBytes = artifacts
  .filter((file) => file.endsWith('.mjs'))
  .reduce((sum, file) => sum + statSync(file).size, 0);
const sizes = {
  /** index.mjs and the chunks it imports statically: what every cold start loads. */
  minifiedBytes: eagerBytes,
  gzipBytes: eager.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0),
  /** Chunks loaded only by dynamic import (Redshift-managed admin secret lookups, ...). */
  lazyChunkBytes: allCodeBytes - eagerBytes,
  sourceMapBytes: artifacts
    .filter((file) => file.endsWith('.map'))
    .reduce((sum, file) => sum + statSync(file).size, 0),
  zipBytes: zip.length,
  minifiedBudgetBytes: MINIFIED_BUDGET_BYTES,
};
writeFileSync(join(dist, 'size.json'), JSON.stringify(sizes, null, 2));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `redshift-rotation: cold-start code ${kb(sizes.minifiedBytes)} minified (${kb(sizes.gzipBytes)} gzip, budget ${kb(MINIFIED_BUDGET_BYTES)}), ` +
    `lazy chunks ${kb(sizes.lazyChunkBytes)}, source map ${kb(sizes.sourceMapBytes)}, zip ${kb(sizes.zipBytes)}`,
);
if (sizes.minifiedBytes > MINIFIED_BUDGET_BYTES) {
  console.error(`error: the bundle is ${kb(sizes.minifiedBytes - MINIFIED_BUDGET_BYTES)} over its budget`);
  discardBuildOutput(dist);
  process.exit(1);
}
publishBuildOutput(dist, finalDist);
