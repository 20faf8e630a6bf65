import { afterEach, describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src/demo-options.js';
import { runDemo } from '../../src/run-demo.js';

describe('pnpm demo without redis-server', () => {
  const saved = process.env.ROTOR_REDIS_SERVER;
  afterEach(() => {
    if (saved === undefined) delete process.env.ROTOR_REDIS_SERVER;
    else process.env.ROTOR_REDIS_SERVER = saved;
  });

  it('says in one line what to install, and exits 1', async () => {
    // Prepare: the harness looks for the binary here instead of on PATH
    process.env.ROTOR_REDIS_SERVER = '/nonexistent/redis-server';
    const parsed = parseDemoArgs(['--engines', 'elasticache', '--rotations', '1', '--pause-ms', '0'], {
      out: () => {},
      err: () => {},
    });
    if (parsed.kind !== 'run') throw new Error('flags rejected');
    let errors = '';

    // Act
    const outcome = await runDemo(parsed.options, {
      stdout: { isTTY: false, write: () => true },
      stderr: { write: (text: string) => (errors += text) },
    });

    // Assess
    expect(outcome.exitCode).toBe(1);
    expect(errors.trimEnd().split('\n')).toHaveLength(1);
    expect(errors).toContain('install the Debian package redis-server (apt-get install -y redis-server)');
  });
});
