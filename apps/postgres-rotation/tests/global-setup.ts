import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds the real Lambda artifact once, before any test file runs (test files run in parallel, and the
 * build replaces dist/): the integration tests register dist/index.mjs with the local endpoint, the bundle
 * test reads the zip.
 */
export default function buildLambdaBundle(): void {
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`scripts/build.mjs failed:\n${stdout.toString()}${stderr.toString()}`);
  }
}
