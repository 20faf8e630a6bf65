/**
 * The Lambda bundles the demo registers as rotation functions: the same artifacts that are deployed
 * (apps/<engine>-rotation/dist/index.mjs). Built with the app's own build script when missing or older
 * than the sources they are built from.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export type BundledEngine = 'elasticache' | 'redshift' | 'postgres';

interface BundleSpec {
  packageName: string;
  appDir: string;
  /** Source directories whose changes make the bundle stale. */
  sources: string[];
}

const BUNDLES: Record<BundledEngine, BundleSpec> = {
  elasticache: {
    packageName: '@rotor/app-elasticache-rotation',
    appDir: 'apps/elasticache-rotation',
    sources: [
      'apps/elasticache-rotation/src',
      'packages/core/src',
      'packages/lambda/src',
      'packages/engine-elasticache/src',
    ],
  },
  redshift: {
    packageName: '@rotor/app-redshift-rotation',
    appDir: 'apps/redshift-rotation',
    sources: [
      'apps/redshift-rotation/src',
      'packages/core/src',
      'packages/lambda/src',
      'packages/engine-redshift/src',
    ],
  },
  postgres: {
    packageName: '@rotor/app-postgres-rotation',
    appDir: 'apps/postgres-rotation',
    sources: [
      'apps/postgres-rotation/src',
      'packages/core/src',
      'packages/lambda/src',
      'packages/engine-postgres/src',
    ],
  },
};

export function bundlePath(engine: BundledEngine): string {
  return join(REPO_ROOT, BUNDLES[engine].appDir, 'dist', 'index.mjs');
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const mtime = statSync(join(entry.parentPath, entry.name)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** Why the bundle must be built, or undefined when it is up to date. */
export function bundleIsStale(engine: BundledEngine): string | undefined {
  const path = bundlePath(engine);
  if (!existsSync(path)) return 'missing';
  const built = statSync(path).mtimeMs;
  const newest = Math.max(...BUNDLES[engine].sources.map((dir) => newestMtime(join(REPO_ROOT, dir))));
  return newest > built ? 'older than its sources' : undefined;
}

/** Returns the bundle's path, building it first (pnpm --filter <app> build) when needed. */
export async function ensureBundle(
  engine: BundledEngine,
  options: { rebuild?: boolean; log: (line: string) => void },
): Promise<string> {
  const reason = options.rebuild ? 'rebuild requested' : bundleIsStale(engine);
  if (reason) {
    const spec = BUNDLES[engine];
    options.log(`Building the ${engine} Lambda bundle (${reason}): pnpm --filter ${spec.packageName} build`);
    try {
      await execFileAsync('pnpm', ['--filter', spec.packageName, 'build'], {
        cwd: REPO_ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string };
      const detail = [output.stdout, output.stderr].filter(Boolean).join('\n').trim();
      // A stale bundle still runs; a missing one cannot.
      if (reason === 'missing' || !existsSync(bundlePath(engine))) {
        throw new Error(`Building the ${engine} bundle failed:\n${detail}`);
      }
      options.log(
        `WARNING: building the ${engine} bundle failed; using the existing (older) bundle. Build output:\n${detail}`,
      );
    }
  }
  const path = bundlePath(engine);
  if (!existsSync(path)) throw new Error(`The ${engine} build did not produce ${path}`);
  return path;
}

/**
 * Copies a built bundle's directory to a private temporary one and returns the copy's path, so that a rebuild
 * of the app while the demo or bench runs (its build empties dist/ first) cannot pull the bundle away.
 */
export async function snapshotBundle(path: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-bundle-'));
  // Also removed when the process exits early (Ctrl+C exits through process.exit).
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  await cp(dirname(path), dir, { recursive: true });
  return {
    path: join(dir, basename(path)),
    dispose: async () => {
      process.off('exit', removeOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
