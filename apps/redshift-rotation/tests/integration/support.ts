import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const appRoot = join(import.meta.dirname, '../..');

/**
 * Builds the bundle under test with the same script as `pnpm build`, into a directory of its own, so the
 * test never runs a stale bundle and never races another build of dist/. Returns the path of index.mjs.
 */
export function buildBundle(): { bundlePath: string; cleanup(): void } {
  const outdir = mkdtempSync(join(tmpdir(), 'rotor-redshift-bundle-'));
  execFileSync(process.execPath, [join(appRoot, 'scripts/build.mjs')], {
    cwd: appRoot,
    stdio: 'pipe',
    env: { ...process.env, ROTOR_BUILD_OUTDIR: outdir },
  });
  return {
    bundlePath: join(outdir, 'index.mjs'),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** `'md5' || md5(password || username)`: what the server stores, so the test can create users as the engine does. */
export function md5PasswordHash(password: string, username: string): string {
  return `md5${createHash('md5')
    .update(password + username, 'utf8')
    .digest('hex')}`;
}

export const quoteIdent = (name: string): string => pg.escapeIdentifier(name);

export async function canLogin(
  url: (user: string, password: string) => string,
  user: string,
  password: string,
) {
  const client = new pg.Client({ connectionString: url(user, password), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
