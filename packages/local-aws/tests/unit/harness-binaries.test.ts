import { findPostgresBinDir, findRedisServer, MissingBinaryError } from '@rotor/local-aws/harness';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('harness binaries', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('fails with the package to install when redis-server is missing', () => {
    vi.stubEnv('PATH', '/nonexistent');
    vi.stubEnv('ROTOR_REDIS_SERVER', '');
    expect(() => findRedisServer()).toThrow(MissingBinaryError);
    expect(() => findRedisServer()).toThrow(/apt-get install -y redis-server/);
  });

  it('fails clearly when an override points nowhere', () => {
    vi.stubEnv('ROTOR_REDIS_SERVER', '/nonexistent/redis-server');
    expect(() => findRedisServer()).toThrow(MissingBinaryError);
    vi.stubEnv('ROTOR_PG_BIN_DIR', '/nonexistent');
    expect(() => findPostgresBinDir()).toThrow(/apt-get install -y postgresql/);
  });

  it('finds the installed servers', () => {
    expect(findRedisServer()).toMatch(/(redis|valkey)-server$/);
    expect(findPostgresBinDir()).toMatch(/bin$/);
  });
});
