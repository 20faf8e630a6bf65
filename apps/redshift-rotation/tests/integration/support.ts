import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from '@rotor/engine-redshift';
import pg from 'pg';

export const appRoot = join(import.meta.dirname, '../..');
export const bundlePath = join(appRoot, 'dist/index.mjs');

/** Builds the bundle under test (the same script as `pnpm build`), so the test never runs a stale one. */
export function buildBundle(): void {
  execFileSync(process.execPath, [join(appRoot, 'scripts/build.mjs')], { cwd: appRoot, stdio: 'pipe' });
}

export const { md5PasswordHash, quoteIdent } = sql;

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
