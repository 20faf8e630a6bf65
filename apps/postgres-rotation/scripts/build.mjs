/**
 * Builds the Lambda artifact: one minified ESM bundle, dist/index.mjs (handler `index.handler`, runtime
 * nodejs20.x or later), with pg, zod, Powertools and the Secrets Manager client inside, plus dist/size.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  discardBuildOutput,
  lambdaBundleOptions,
  publishBuildOutput,
  startBuildOutput,
} from '../../../scripts/lambda-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const finalDist = join(root, 'dist');
const dist = startBuildOutput(finalDist);
const bundlePath = join(dist, 'index.mjs');
/**
 * Beyond this the bundle has picked up something it should not (a second zod, CommonJS builds of the SDK).
 * Measured 522 KB: @smithy/core 130 KB, zod 88 KB, the SDK's credential chain and client ~105 KB, pg 58 KB,
 * Powertools 16 KB, Rotor 27 KB.
 */
const MINIFIED_BUDGET_BYTES = 600 * 1024;

const result = await build({
  ...lambdaBundleOptions,
  entryPoints: [join(root, 'src/handler.ts')],
  outfile: bundlePath,
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));

const bundle = readFileSync(bundlePath);
const sizes = {
  minifiedBytes: bundle.length,
  gzipBytes: gzipSync(bundle, { level: 9 }).length,
  minifiedBudgetBytes: MINIFIED_BUDGET_BYTES,
};
writeFileSync(join(dist, 'size.json'), `${JSON.stringify(sizes, null, 2)}\n`);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `postgres-rotation: dist/index.mjs ${kb(sizes.minifiedBytes)} minified, ${kb(sizes.gzipBytes)} gzip`,
);
if (sizes.minifiedBytes > MINIFIED_BUDGET_BYTES) {
  console.error(`error: the bundle is ${kb(sizes.minifiedBytes - MINIFIED_BUDGET_BYTES)} over its budget`);
  discardBuildOutput(dist);
  process.exit(1);
}
publishBuildOutput(dist, finalDist);
