/**
 * Builds the Lambda artifact: one minified ESM bundle, dist/index.mjs (handler `index.handler`, runtime
 * nodejs20.x or later), with pg, zod, Powertools and the Secrets Manager client inside, plus dist/size.json.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundlePath = join(dist, 'index.mjs');
/**
 * Beyond this the bundle has picked up something it should not (a second zod, the whole SDK). Measured
 * 657 KB: the Secrets Manager client with the SDK's default credential chain (~200 KB of @smithy/core),
 * zod 88 KB, pg 60 KB, Powertools 16 KB, Rotor 27 KB.
 */
const MINIFIED_BUDGET_BYTES = 700 * 1024;

/**
 * `import { z } from 'zod'` hands esbuild zod's whole namespace object, locales included (444 KB of this
 * bundle, measured); `import * as z from 'zod'` is the same API and tree-shakes. Workspace sources still
 * using the first form (packages/core's) are rewritten at bundle time.
 */
const zodNamespaceImport = {
  name: 'zod-namespace-import',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source.replace(/^import \{ z \} from 'zod';$/m, "import * as z from 'zod';"),
        loader: 'ts',
      };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src/handler.ts')],
  outfile: bundlePath,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  conditions: ['@rotor/source'],
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [zodNamespaceImport],
  // pg requires its optional native binding only when pg.native is read, which the engine never does.
  external: ['pg-native'],
  // pg and parts of the SDK are CommonJS and require() Node built-ins; ESM has no `require` of its own.
  banner: {
    js: "import { createRequire as __rotorCreateRequire } from 'node:module'; const require = __rotorCreateRequire(import.meta.url);",
  },
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
  process.exit(1);
}
