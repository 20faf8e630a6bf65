import { InvalidSecretError } from '@rotor/core/errors';
import { describe, expect, it } from 'vitest';
import { toCredentials } from '../../src/credentials.ts';

const version = (value: Record<string, unknown>) => ({ secretId: 's', versionId: 'v1', value });

describe('toCredentials', () => {
  it('reads a Redshift secret (port as a string, as AWS writes it)', () => {
    const c = toCredentials(
      version({
        engine: 'redshift',
        host: 'h',
        port: '5439',
        username: 'app',
        password: 'pw',
        dbname: 'dev',
        masterarn: 'arn',
      }),
      'AWSCURRENT',
    );
    expect(c).toMatchObject({
      username: 'app',
      password: 'pw',
      host: 'h',
      port: 5439,
      dbname: 'dev',
      stage: 'AWSCURRENT',
    });
  });

  it('reads an ElastiCache secret with and without endpoint fields', () => {
    const bare = toCredentials(
      version({ username: 'u', password: 'pw', user_arn: 'arn:aws:elasticache:us-east-1:1:user:u' }),
      'AWSPENDING',
    );
    expect(bare).toMatchObject({
      username: 'u',
      host: undefined,
      port: undefined,
      tls: undefined,
      stage: 'AWSPENDING',
    });
    const full = toCredentials(
      version({ username: 'u', password: 'pw', host: 'cache', port: 6379, tls: 'false' }),
      'AWSCURRENT',
    );
    expect(full).toMatchObject({ host: 'cache', port: 6379, tls: false });
  });

  it.each([
    ['no username', { password: 'hunter2-pw' }],
    ['an empty username', { username: '', password: 'hunter2-pw' }],
    ['no password (before the first rotation)', { username: 'u' }],
    ['a numeric password', { username: 'u', password: 12345 }],
    ['a port that is not a port', { username: 'u', password: 'hunter2-pw', port: 'x' }],
    ['a port out of range', { username: 'u', password: 'hunter2-pw', port: 70_000 }],
    ['a non-boolean tls', { username: 'u', password: 'hunter2-pw', tls: 'yes' }],
    ['a numeric host', { username: 'u', password: 'hunter2-pw', host: 5 }],
  ])('rejects a secret with %s, without quoting values', (_name, value) => {
    let error: unknown;
    try {
      toCredentials(version(value), 'AWSCURRENT');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).message).toMatch(/^Secret s version v1 \(AWSCURRENT\)/);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
