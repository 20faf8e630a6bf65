import { generatePassword } from '@rotor/core';
import { InvalidConfigurationError, passwordSatisfiesPolicy } from '@rotor/core/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  meetsRedshiftRules,
  passwordOptionsFromEnv,
  REDSHIFT_FORBIDDEN_CHARACTERS,
  redshiftPasswordPolicy,
} from '../../src/redshift-options.ts';

describe('redshiftPasswordPolicy', () => {
  it("defaults to AWS's Redshift settings: 32 characters, each type required, ' \" \\ / @ : space excluded", () => {
    const policy = redshiftPasswordPolicy();
    expect(policy.length).toBe(32);
    expect(policy.minLength).toBe(8);
    expect(policy.maxLength).toBe(64);
    expect(policy.requireEachIncludedType).toBe(true);
    expect(policy.includeSpace).toBe(false);
    for (const character of `${REDSHIFT_FORBIDDEN_CHARACTERS}:`)
      expect(policy.excludeCharacters).toContain(character);
  });

  it("always excludes Redshift's forbidden characters, even when EXCLUDE_CHARACTERS leaves them out", () => {
    const policy = redshiftPasswordPolicy({ excludeCharacters: '' });
    for (const character of REDSHIFT_FORBIDDEN_CHARACTERS)
      expect(policy.excludeCharacters).toContain(character);
  });

  it.each([7, 65, 128, 0])('refuses length %i (outside 8-64)', (length) => {
    expect(() => redshiftPasswordPolicy({ length })).toThrow(InvalidConfigurationError);
    expect(() => redshiftPasswordPolicy({ length })).toThrow(/outside Redshift's 8-64/);
  });

  it('accepts the limits 8 and 64', () => {
    expect(redshiftPasswordPolicy({ length: 8 }).length).toBe(8);
    expect(redshiftPasswordPolicy({ length: 64 }).length).toBe(64);
  });

  it('refuses REQUIRE_EACH_INCLUDED_TYPE=false', () => {
    expect(() => redshiftPasswordPolicy({ requireEachIncludedType: false })).toThrow(
      /REQUIRE_EACH_INCLUDED_TYPE/,
    );
  });

  it('refuses exclusions that leave no digit, upper or lower case letter', () => {
    expect(() => redshiftPasswordPolicy({ excludeCharacters: '0123456789' })).toThrow(/no digit/);
    expect(() => redshiftPasswordPolicy({ excludeCharacters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' })).toThrow(
      /no upper-case letter/,
    );
  });

  it('generates passwords that meet Redshift rules for any allowed configuration (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 64 }),
        fc.boolean(),
        fc.string({ maxLength: 10, unit: fc.constantFrom(...'!#$%^&*()abcXYZ789:;,.') }),
        (length, excludePunctuation, excludeCharacters) => {
          const policy = redshiftPasswordPolicy({ length, excludePunctuation, excludeCharacters });
          const password = generatePassword(policy);
          expect(passwordSatisfiesPolicy(password, policy)).toBe(true);
          expect(meetsRedshiftRules(password)).toBe(true);
          for (const character of excludeCharacters) expect(password).not.toContain(character);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('meetsRedshiftRules', () => {
  it('checks length, classes and forbidden characters', () => {
    expect(meetsRedshiftRules('Abcdefg1')).toBe(true);
    expect(meetsRedshiftRules('Abcdef1')).toBe(false);
    expect(meetsRedshiftRules('abcdefg1')).toBe(false);
    expect(meetsRedshiftRules('ABCDEFG1')).toBe(false);
    expect(meetsRedshiftRules('Abcdefgh')).toBe(false);
    expect(meetsRedshiftRules('Abcdefg1@')).toBe(false);
    expect(meetsRedshiftRules('Abcd efg1')).toBe(false);
    expect(meetsRedshiftRules(`A1${'b'.repeat(63)}`)).toBe(false);
  });
});

describe('passwordOptionsFromEnv', () => {
  it('reads the variables of AWS functions', () => {
    expect(
      passwordOptionsFromEnv({
        PASSWORD_LENGTH: '40',
        EXCLUDE_CHARACTERS: ':;',
        EXCLUDE_PUNCTUATION: 'yes',
        REQUIRE_EACH_INCLUDED_TYPE: 'TRUE',
      }),
    ).toEqual({
      length: 40,
      excludeCharacters: ':;',
      excludePunctuation: true,
      requireEachIncludedType: true,
    });
    expect(passwordOptionsFromEnv({})).toEqual({});
  });

  it('reads an empty or blank PASSWORD_LENGTH as unset, as a template leaves it', () => {
    expect(passwordOptionsFromEnv({ PASSWORD_LENGTH: '' })).toEqual({});
    expect(passwordOptionsFromEnv({ PASSWORD_LENGTH: '  ' })).toEqual({});
  });

  it('refuses values AWS would misread silently', () => {
    expect(() => passwordOptionsFromEnv({ PASSWORD_LENGTH: '32x' })).toThrow(/PASSWORD_LENGTH/);
    expect(() => passwordOptionsFromEnv({ EXCLUDE_PUNCTUATION: 'maybe' })).toThrow(/EXCLUDE_PUNCTUATION/);
  });

  it('feeds a policy that refuses PASSWORD_LENGTH=65 at start-up', () => {
    expect(() => redshiftPasswordPolicy(passwordOptionsFromEnv({ PASSWORD_LENGTH: '65' }))).toThrow(
      InvalidConfigurationError,
    );
  });
});
