import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appsRoot = join(import.meta.dirname, '../../../../../apps');

/**
 * A private copy of the built rotation bundles (an app's dist: entry and chunks), so a rebuild of the
 * app while a suite runs cannot pull them away. turbo builds the apps first (they are devDependencies);
 * a direct vitest run builds a missing bundle.
 */
export function copyBundles(apps: readonly string[]): { dir: string; entry(app: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-client-bundles-'));
  for (const app of apps) {
    const appRoot = join(appsRoot, app);
    if (!existsSync(join(appRoot, 'dist/index.mjs'))) {
      execFileSync(process.execPath, [join(appRoot, 'scripts/build.mjs')], { cwd: appRoot, stdio: 'pipe' });
    }
    cpSync(join(appRoot, 'dist'), join(dir, app), {
      recursive: true,
      filter: (source) => !source.endsWith('.zip'),
    });
  }
  return { dir, entry: (app) => join(dir, app, 'index.mjs') };
}
