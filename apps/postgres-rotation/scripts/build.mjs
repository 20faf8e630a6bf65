/**
 * Builds the Lambda artifact: one minified ESM entry (dist/index.mjs, handler `index.handler`, runtime
 * nodejs22.x) with pg, zod, Powertools and the Secrets Manager client inside; the RDS lookups for RDS-managed
 * master secrets in a lazy chunk (dist/chunks/); a deployable zip (dist/postgres-rotation.zip) and
 * dist/size.json. A build over either budget fails and leaves the previous dist/ in place.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import {
  discardBuildOutput,
  eagerOutputs,
  lambdaBundleOptions,
  listFiles,
  publishBuildOutput,
  startBuildOutput,
} from '../../../scripts/lambda-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const finalDist = join(root, 'dist');
const dist = startBuildOutput(finalDist);
const bundlePath = join(dist, 'index.mjs');
const zipPath = join(dist, 'postgres-rotation.zip');
/**
 * What every cold start loads. Beyond this the bundle has picked up something it should not (a second zod,
 * CommonJS builds of the SDK). Measured 541 KB: @smithy/core, zod, the SDK's credential chain and
 * Secrets Manager client, pg, Powertools, Rotor.
 */
const MINIFIED_BUDGET_BYTES = 600 * 1024;
/** The deployable zip, lazy RDS chunk and source maps included (as for the ElastiCache function). */
const ZIP_BUDGET_BYTES = 900 * 1024;

const result = await build({
  ...lambdaBundleOptions,
  entryPoints: { index: join(root, 'src/index.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  // The RDS client (dynamic import in the engine) goes to its own chunk, off the cold-start path.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  absWorkingDir: root,
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));

const artifacts = listFiles(dist)
  .filter((file) => file.endsWith('.mjs') || file.endsWith('.mjs.map'))
  .sort();
// A fixed timestamp keeps the archive identical for identical code (deployment tools compare hashes).
const ZIP_MTIME = new Date('2020-01-01T00:00:00Z');
const zip = zipSync(
  Object.fromEntries(
    artifacts.map((file) => [relative(dist, file), [readFileSync(file), { level: 9, mtime: ZIP_MTIME }]]),
  ),
);
writeFileSync(zipPath, zip);

const eager = eagerOutputs(result.metafile, relative(root, bundlePath)).map((file) => join(root, file));
const eagerBytes = eager.reduce((sum, file) => sum + statSync(file).size, 0);
const codeBytes = artifacts
  .filter((file) => file.endsWith('.mjs'))
  .reduce((sum, file) => sum + statSync(file).size, 0);
const sizes = {
  minifiedBytes: eagerBytes,
  gzipBytes: eager.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0),
  lazyChunkBytes: codeBytes - eagerBytes,
  zipBytes: zip.length,
  minifiedBudgetBytes: MINIFIED_BUDGET_BYTES,
  zipBudgetBytes: ZIP_BUDGET_BYTES,
};
writeFileSync(join(dist, 'size.json'), `${JSON.stringify(sizes, null, 2)}\n`);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `postgres-rotation: cold-start code ${kb(sizes.minifiedBytes)} minified (${kb(sizes.gzipBytes)} gzip, budget ${kb(MINIFIED_BUDGET_BYTES)}), ` +
    `lazy chunks ${kb(sizes.lazyChunkBytes)}, zip ${kb(sizes.zipBytes)} of ${kb(ZIP_BUDGET_BYTES)}`,
);
const over = [
  sizes.minifiedBytes > MINIFIED_BUDGET_BYTES &&
    `the cold-start code is ${kb(sizes.minifiedBytes - MINIFIED_BUDGET_BYTES)} over its budget`,
  sizes.zipBytes > ZIP_BUDGET_BYTES && `the zip is ${kb(sizes.zipBytes - ZIP_BUDGET_BYTES)} over its budget`,
].filter(Boolean);
if (over.length > 0) {
  console.error(`error: ${over.join('; ')}`);
  discardBuildOutput(dist);
  process.exit(1);
}
publishBuildOutput(dist, finalDist);
