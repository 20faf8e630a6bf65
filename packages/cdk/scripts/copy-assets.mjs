/**
 * Copies each rotation app's built bundle (apps/<app>/dist: index.mjs and its lazy chunks) into
 * assets/<app>/, which @rotor/cdk ships and deploys with `lambda.Code.fromAsset`. The apps build first:
 * they are this package's devDependencies, so turbo's `^build` runs their `build` scripts before this one.
 * Only code is copied: no zip, no size reports, no source maps (they point at sources the package does not ship),
 * nothing a function does not load.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['elasticache-rotation', 'redshift-rotation', 'postgres-rotation'];

const staging = join(root, `assets.staging-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
for (const app of apps) {
  const source = join(root, '..', '..', 'apps', app, 'dist');
  if (!existsSync(join(source, 'index.mjs'))) {
    console.error(
      `error: ${source}/index.mjs is missing; build the app first (pnpm --filter @rotor/app-${app} build)`,
    );
    rmSync(staging, { recursive: true, force: true });
    process.exit(1);
  }
  const target = join(staging, app);
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const code = entry.isFile() && entry.name.endsWith('.mjs');
    if (code || (entry.isDirectory() && entry.name === 'chunks')) {
      cpSync(join(source, entry.name), join(target, entry.name), {
        recursive: true,
        filter: (path) => !path.endsWith('.map'),
      });
    }
  }
}
// Without their maps, the code's `//# sourceMappingURL=` comments would point at missing files.
for (const file of readdirSync(staging, { recursive: true })) {
  const path = join(staging, String(file));
  if (!path.endsWith('.mjs')) continue;
  const code = readFileSync(path, 'utf8');
  const stripped = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (stripped !== code) writeFileSync(path, stripped);
}
// Two renames, so a synth running alongside never sees a half-copied asset.
const assets = join(root, 'assets');
const previous = `${assets}.previous-${process.pid}`;
if (existsSync(assets)) renameSync(assets, previous);
renameSync(staging, assets);
rmSync(previous, { recursive: true, force: true });
console.log(`@rotor/cdk: copied ${apps.join(', ')} into assets/`);
