import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** `pnpm crash` as a process: bad input is one line on stderr and exit code 2, before any server starts. */
const root = fileURLToPath(new URL('../../../../', import.meta.url));

function crash(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@rotor/source', '--import', 'tsx', 'apps/demo/src/crash/main.ts', ...args],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('pnpm crash', () => {
  it('refuses an unknown scenario in one line, exit 2', () => {
    const { code, err, out } = crash(['--scenario', 'elasticache/triple-password']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toEqual([
      'pnpm crash: --scenario: unknown scenario "elasticache/triple-password" (pnpm crash --list shows them)',
    ]);
    expect(out).toBe('');
  });

  it('says in one line which server binary is missing, exit 2', () => {
    const { code, err } = crash(['--scenario', 'elasticache/dual-password'], {
      ROTOR_REDIS_SERVER: '/nonexistent/redis-server',
    });
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('redis-server');
  });

  it('lists its scenarios', () => {
    const { code, out } = crash(['--list']);
    expect(code).toBe(0);
    expect(out).toContain('elasticache/alternating-users/2-groups/modifying\n');
    expect(out).toContain('redshift/alternating-users/data-api\n');
  });
});
