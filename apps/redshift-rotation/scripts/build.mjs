/**
 * Builds the Lambda artifact: one minified ESM bundle (dist/index.mjs, handler `index.handler`, runtime
 * nodejs22.x) with pg and the AWS SDK clients inside, a deployable zip, and the size budget check.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createZip } from './zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundlePath = join(dist, 'index.mjs');
const zipPath = join(dist, 'redshift-rotation.zip');
/** The aim for the minified bundle: a build over it fails. */
const MINIFIED_BUDGET_BYTES = 600 * 1024;

/**
 * `import { z } from 'zod'` pulls the whole zod namespace into the bundle (every locale: ~450 KB), while
 * `import * as z from 'zod'` lets esbuild keep only what is used (~85 KB); the named exports are the
 * same. Rotor's own sources use the namespace form; this rewrites workspace sources that do not yet
 * (requested for packages/core in /work/brief/requests.md).
 */
const zodNamespaceImports = {
  name: 'zod-namespace-imports',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      return {
        contents: source.replace(/import \{ z \} from 'zod';/g, "import * as z from 'zod';"),
        loader: 'ts',
      };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: bundlePath,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // 'module' (dropped by esbuild once custom conditions are set) selects the SDK's tree-shakable ES builds.
  conditions: ['@rotor/source', 'module'],
  mainFields: ['module', 'main'],
  minify: true,
  // Error class names (CredentialRejectedError ...) are what logs and RotationFailed events show.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  plugins: [zodNamespaceImports],
  logLevel: 'warning',
  // pg loads its optional native binding (pg-native) only when pg.native is read, which Rotor never does;
  // left out of the bundle it is simply never required.
  external: ['pg-native'],
  // pg and parts of the SDK are CommonJS and require() Node built-ins, which ESM has no `require` for.
  banner: {
    js: "import { createRequire as __rotorCreateRequire } from 'node:module'; const require = __rotorCreateRequire(import.meta.url);",
  },
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));

const bundle = readFileSync(bundlePath);
const zip = createZip([
  { name: 'index.mjs', data: bundle },
  { name: 'index.mjs.map', data: readFileSync(`${bundlePath}.map`) },
]);
writeFileSync(zipPath, zip);

const sizes = {
  minifiedBytes: bundle.length,
  gzipBytes: gzipSync(bundle, { level: 9 }).length,
  sourceMapBytes: statSync(`${bundlePath}.map`).size,
  zipBytes: zip.length,
  minifiedBudgetBytes: MINIFIED_BUDGET_BYTES,
};
writeFileSync(join(dist, 'size.json'), JSON.stringify(sizes, null, 2));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `redshift-rotation: index.mjs ${kb(sizes.minifiedBytes)} minified (${kb(sizes.gzipBytes)} gzip, budget ${kb(MINIFIED_BUDGET_BYTES)}), ` +
    `source map ${kb(sizes.sourceMapBytes)}, zip ${kb(sizes.zipBytes)}`,
);
if (sizes.minifiedBytes > MINIFIED_BUDGET_BYTES) {
  console.error(`error: the bundle is ${kb(sizes.minifiedBytes - MINIFIED_BUDGET_BYTES)} over its budget`);
  process.exit(1);
}
