/**
 * Builds the Lambda artifact: one minified ESM bundle (dist/index.mjs, handler `index.handler`) with the
 * AWS SDK v3 clients inside (the runtime's own SDK version is not ours to pin), then a deployable zip,
 * then the size budget. Fails the build when the zip exceeds the budget.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const zipPath = join(dist, 'elasticache-rotation.zip');
/** Lambda cold start grows with the code it loads; 600 KB zipped leaves room for the SDK clients we use. */
const ZIP_BUDGET_BYTES = 600 * 1024;
/** The aim for the minified bundle; reported, and a warning when exceeded. */
const MINIFIED_AIM_BYTES = 600 * 1024;

/** Lambda-only substitutions: see scripts/lambda-credential-provider.mjs and scripts/silent-debug.cjs. */
const lambdaCredentials = {
  name: 'lambda-credentials',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(root, 'scripts/lambda-credential-provider.mjs'),
    }));
    // See scripts/silent-debug.cjs: no DEBUG setting may make ioredis print AUTH arguments.
    pluginBuild.onResolve({ filter: /^debug$/ }, () => ({ path: join(root, 'scripts/silent-debug.cjs') }));
  },
};

const result = await build({
  ...lambdaBundleOptions,
  // index.mjs is only the lazy entry (src/index.ts); the function is a chunk its first invocation loads.
  entryPoints: { index: join(root, 'src/index.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  absWorkingDir: root,
  plugins: [lambdaCredentials],
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));

// A fixed timestamp keeps the archive identical for identical code (deployment tools compare hashes).
const ZIP_MTIME = new Date('2020-01-01T00:00:00Z');
const artifacts = listFiles(dist)
  .filter((file) => file.endsWith('.mjs') || file.endsWith('.mjs.map'))
  .sort();
const zip = zipSync(
  Object.fromEntries(
    artifacts.map((file) => [relative(dist, file), [readFileSync(file), { level: 9, mtime: ZIP_MTIME }]]),
  ),
);
writeFileSync(zipPath, zip);

/** All the code (entry and chunks): what the first invocation has loaded. */
const minifiedBytes = artifacts
  .filter((file) => file.endsWith('.mjs'))
  .reduce((sum, file) => sum + statSync(file).size, 0);
/** What Lambda's init loads: index.mjs and the chunks it imports statically. */
const initBytes = eagerOutputs(result.metafile, relative(root, bundlePath))
  .map((file) => join(root, file))
  .reduce((sum, file) => sum + statSync(file).size, 0);
const sourceMapBytes = artifacts
  .filter((file) => file.endsWith('.map'))
  .reduce((sum, file) => sum + statSync(file).size, 0);
const zipBytes = statSync(zipPath).size;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const sizes = { minifiedBytes, initBytes, sourceMapBytes, zipBytes, zipBudgetBytes: ZIP_BUDGET_BYTES };
writeFileSync(join(dist, 'size.json'), JSON.stringify(sizes, null, 2));
console.log(
  `elasticache-rotation: ${kb(minifiedBytes)} minified, of which init loads ${kb(initBytes)} (+ ${kb(sourceMapBytes)} source maps), ` +
    `zip ${kb(zipBytes)} of a ${kb(ZIP_BUDGET_BYTES)} budget`,
);
if (minifiedBytes > MINIFIED_AIM_BYTES) {
  console.warn(`warning: the minified bundle is over the ${kb(MINIFIED_AIM_BYTES)} aim`);
}
if (zipBytes > ZIP_BUDGET_BYTES) {
  console.error(
    `error: the zip is ${kb(zipBytes - ZIP_BUDGET_BYTES)} over its ${kb(ZIP_BUDGET_BYTES)} budget`,
  );
  discardBuildOutput(dist);
  process.exit(1);
}
publishBuildOutput(dist, finalDist);
