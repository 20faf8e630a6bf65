import { generatePassword } from '@rotor/core';
import { elastiCacheEngine, elastiCacheSecretSchema } from '@rotor/engine-elasticache';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDisabled, switchedOn } from '../../src/access-string.ts';
import { elastiCachePasswordPolicy, passwordProblem } from '../../src/elasticache-options.ts';
import { parseUserArn, toggleAlternateSuffix } from '../../src/user-ids.ts';

describe('password policy', () => {
  it('always excludes what ElastiCache refuses, even when EXCLUDE_CHARACTERS is empty', () => {
    const engine = elastiCacheEngine({ excludeCharacters: '' });
    for (const character of [',', '"', '/', '@', ' ']) {
      expect(engine.passwordPolicy.excludeCharacters).toContain(character);
    }
    expect(engine.passwordPolicy).toMatchObject({
      minLength: 16,
      maxLength: 128,
      length: 32,
      includeSpace: false,
    });
  });

  it("keeps AWS's default exclusions and adds the comma AWS's function forgets", () => {
    const { excludeCharacters } = elastiCacheEngine().passwordPolicy;
    for (const character of '/@"\'\\, ') expect(excludeCharacters).toContain(character);
  });

  it.each([15, 129, 20.5])('refuses passwordLength %s', (passwordLength) => {
    expect(() => elastiCacheEngine({ passwordLength })).toThrow(/passwordLength/);
  });

  it('refuses unknown options and a non-client', () => {
    expect(() => elastiCacheEngine({ passwordLenght: 20 } as never)).toThrow(
      /INVALID|Unrecognized|passwordLenght/,
    );
    expect(() => elastiCacheEngine({ client: {} as never })).toThrow(/client/);
  });

  it('generated passwords are always accepted by ElastiCache (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 128 }),
        fc.string({ maxLength: 20 }).filter((text) => !/[A-Za-z0-9]/.test(text)),
        (length, exclude) => {
          const password = generatePassword(elastiCachePasswordPolicy(length, exclude));
          expect(password).toHaveLength(length);
          expect(passwordProblem(password)).toBeUndefined();
          for (const character of exclude) expect(password).not.toContain(character);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passwordProblem names the rule without echoing the password', () => {
    expect(passwordProblem('short')).toMatch(/5 characters/);
    expect(passwordProblem('a,'.repeat(10))).toMatch(/refuses/);
    expect(passwordProblem('a b'.repeat(10))).toMatch(/space/);
    expect(passwordProblem('A'.repeat(16))).toBeUndefined();
    expect(passwordProblem('secret-value-xyz,')).not.toContain('secret-value');
  });
});

describe('user ids and ARNs', () => {
  it('parses the seed page ARN and lower-cases the id', () => {
    expect(parseUserArn('arn:aws:elasticache:us-east-1:123456789012:user:User1')).toEqual({
      arn: 'arn:aws:elasticache:us-east-1:123456789012:user:User1',
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      userId: 'user1',
    });
    expect(parseUserArn('arn:aws-cn:elasticache:cn-north-1:123456789012:user:a-b')?.partition).toBe('aws-cn');
    expect(parseUserArn('arn:aws:elasticache:us-east-1:xxxxxxxxxx918:user:user1')).toBeUndefined();
  });

  it('toggles a -clone suffix that is a valid ElastiCache user id', () => {
    expect(toggleAlternateSuffix('user1')).toBe('user1-clone');
    expect(toggleAlternateSuffix('user1-clone')).toBe('user1');
    expect(toggleAlternateSuffix('-clone')).toBe('-clone-clone');
  });

  it('alternateUser derives a valid id and ARN', () => {
    const engine = elastiCacheEngine();
    expect(
      engine.alternateUser?.({
        user: { username: 'app', user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:app' },
      }),
    ).toEqual({
      fields: {
        username: 'app-clone',
        user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:app-clone',
      },
    });
  });
});

describe('secret schema', () => {
  it('keeps unknown keys and does not coerce values', () => {
    const parsed = elastiCacheSecretSchema.parse({
      username: 'user1',
      user_arn: 'arn:aws:elasticache:us-east-1:123456789012:user:user1',
      port: '6380',
      tls: 'false',
      dbClusterIdentifier: 'x',
    });
    expect(parsed).toMatchObject({ port: '6380', tls: 'false', dbClusterIdentifier: 'x' });
  });

  it('refuses a non-string password and a bad port', () => {
    const base = { username: 'user1', user_arn: 'arn:aws:elasticache:us-east-1:123456789012:user:user1' };
    expect(elastiCacheSecretSchema.safeParse({ ...base, password: 42 }).success).toBe(false);
    expect(elastiCacheSecretSchema.safeParse({ ...base, port: 'http' }).success).toBe(false);
    expect(elastiCacheSecretSchema.safeParse({ ...base, port: 70000 }).success).toBe(false);
  });
});

describe('access strings', () => {
  it.each([
    ['off ~keys* -@all +get', true],
    ['on ~* +@all', false],
    ['~keys* +get', true],
    ['on ~a* off', true],
    ['off ~a* on', false],
    ['on (~x* +get) ~y*', false],
  ])('%j disabled: %s', (accessString, disabled) => {
    expect(isDisabled(accessString)).toBe(disabled);
  });

  it('switches a user on, keeping every other rule', () => {
    expect(switchedOn('off ~keys* -@all +get')).toBe('on ~keys* -@all +get');
    expect(switchedOn('~keys* +get')).toBe('on ~keys* +get');
    expect(switchedOn('on ~* +@all')).toBe('on ~* +@all');
  });
});
