/**
 * The interceptor as one file a bare `node --import` can load: the compiled module next to this one when
 * the testkit is built, otherwise the TypeScript source bundled once per process with esbuild.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let bundled: Promise<string> | undefined;

export function interceptorModule(): Promise<string> {
  const compiled = fileURLToPath(new URL('./interceptor/preload.js', import.meta.url));
  if (existsSync(compiled)) return Promise.resolve(compiled);
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'rotor-crash-interceptor-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'preload.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./interceptor/preload.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}
