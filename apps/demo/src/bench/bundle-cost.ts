/**
 * What a Lambda bundle costs before it does anything: its size (raw and gzip) and how long a fresh Node process
 * takes to import it, as a ratio to importing a bundle of the bare Secrets Manager client built the same way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { percentile } from '../report/stats.js';

const execFileAsync = promisify(execFile);

export interface BundleCost {
  name: string;
  path: string;
  bytes: number;
  gzipBytes: number;
  /** Median import time over the runs, in a fresh process each time: Lambda's init. */
  importMs: number;
  importRunsMs: number[];
  /**
   * A lazy entry (`handler.load`, @rotor/lambda's lazyHandler): median time its first invocation spends loading
   * the function, in the same processes; 0 for a bundle that loads everything at import.
   */
  firstLoadMs: number;
}

const IMPORT_SCRIPT = [
  'const started = performance.now();',
  'const bundle = await import(process.env.ROTOR_BENCH_BUNDLE);',
  'const imported = performance.now();',
  "if (typeof bundle.handler?.load === 'function') await bundle.handler.load();",
  // Marker lines: bundles may log to stdout while they load (Powertools' "ready" line).
  "process.stdout.write('\\nROTOR_IMPORT_MS=' + (imported - started) + '\\nROTOR_LOAD_MS=' + (performance.now() - imported) + '\\n');",
].join('\n');

/** Imports `path` in `runs` fresh Node processes; returns each run's import time (and lazy load time). */
export async function coldImportMs(path: string, runs: number): Promise<number[]> {
  return (await coldImport(path, runs)).importMs;
}

export async function coldImport(
  path: string,
  runs: number,
): Promise<{ importMs: number[]; loadMs: number[] }> {
  const times: number[] = [];
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        ROTOR_BENCH_BUNDLE: path,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const measured = /^ROTOR_IMPORT_MS=([\d.]+)$/m.exec(stdout)?.[1];
    const loaded = /^ROTOR_LOAD_MS=([\d.]+)$/m.exec(stdout)?.[1];
    if (measured === undefined || loaded === undefined)
      throw new Error(`Importing ${path} printed no time: ${stdout.slice(0, 200)}`);
    times.push(Number(measured));
    loads.push(Number(loaded));
  }
  return { importMs: times, loadMs: loads };
}

export async function measureBundle(name: string, path: string, runs: number): Promise<BundleCost> {
  const [contents, info] = await Promise.all([readFile(path), stat(path)]);
  const { importMs: importRunsMs, loadMs } = await coldImport(path, runs);
  return {
    firstLoadMs: percentile(loadMs, 50) ?? Number.NaN,
    name,
    path,
    bytes: info.size,
    gzipBytes: gzipSync(contents).length,
    importMs: percentile(importRunsMs, 50) ?? Number.NaN,
    importRunsMs,
  };
}

/**
 * The baseline: a handler that only reads a secret with the SDK's Secrets Manager client, bundled with the
 * settings the rotation apps use (minified ESM, node target, the SDK's ESM build).
 */
export async function buildBaselineBundle(): Promise<{ path: string; dispose(): Promise<void> }> {
  const { build } = await import('esbuild');
  const dir = await mkdtemp(join(tmpdir(), 'rotor-bench-'));
  const path = join(dir, 'secrets-manager-only.mjs');
  await build({
    stdin: {
      contents: [
        "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
        'const client = new SecretsManagerClient({});',
        'export const handler = async (event) => client.send(new GetSecretValueCommand({ SecretId: event.SecretId }));',
      ].join('\n'),
      resolveDir: fileURLToPath(new URL('../..', import.meta.url)),
      loader: 'js',
    },
    outfile: path,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    conditions: ['module'],
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
