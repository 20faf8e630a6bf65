import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PasswordPolicy } from '../../src/engine/contract.ts';
import {
  allowedCharacterClasses,
  PUNCTUATION,
  passwordSatisfiesPolicy,
  validatePasswordPolicy,
} from '../../src/engine/password-policy.ts';
import { generatePassword } from '../../src/password/generate-password.ts';

const policyArbitrary: fc.Arbitrary<PasswordPolicy> = fc
  .record({
    length: fc.integer({ min: 4, max: 128 }),
    excludeCharacters: fc.string({
      unit: fc.constantFrom(...'abcXYZ019!@#$%^&*()"\'\\/,:; '),
      maxLength: 12,
    }),
    excludeUppercase: fc.boolean(),
    excludeLowercase: fc.boolean(),
    excludeNumbers: fc.boolean(),
    excludePunctuation: fc.boolean(),
    includeSpace: fc.boolean(),
    requireEachIncludedType: fc.boolean(),
  })
  .map((p) => ({ ...p, minLength: 1, maxLength: 4096 }))
  .filter((p) => validatePasswordPolicy(p).length === 0);

describe('generatePassword', () => {
  it('always satisfies the policy it was generated from', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const password = generatePassword(policy);
        expect(passwordSatisfiesPolicy(password, policy)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never contains an excluded character', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const password = generatePassword(policy);
        for (const character of policy.excludeCharacters) expect(password).not.toContain(character);
      }),
      { numRuns: 300 },
    );
  });

  it('contains every allowed class when required', () => {
    const policy: PasswordPolicy = {
      length: 4,
      minLength: 4,
      maxLength: 4,
      excludeCharacters: '',
      excludeUppercase: false,
      excludeLowercase: false,
      excludeNumbers: false,
      excludePunctuation: false,
      includeSpace: false,
      requireEachIncludedType: true,
    };
    for (let i = 0; i < 200; i += 1) {
      const password = generatePassword(policy);
      for (const characterClass of allowedCharacterClasses(policy)) {
        expect([...password].some((c) => characterClass.includes(c))).toBe(true);
      }
    }
  });

  it('uses the whole alphabet (no class is starved)', () => {
    const policy: PasswordPolicy = {
      length: 64,
      minLength: 8,
      maxLength: 64,
      excludeCharacters: '',
      excludeUppercase: false,
      excludeLowercase: false,
      excludeNumbers: false,
      excludePunctuation: false,
      includeSpace: false,
      requireEachIncludedType: false,
    };
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) for (const c of generatePassword(policy)) seen.add(c);
    expect(seen.size).toBe(26 + 26 + 10 + PUNCTUATION.length);
  });

  it('refuses an impossible policy with a clear error', () => {
    const policy: PasswordPolicy = {
      length: 2,
      minLength: 1,
      maxLength: 10,
      excludeCharacters: '',
      excludeUppercase: false,
      excludeLowercase: false,
      excludeNumbers: false,
      excludePunctuation: false,
      includeSpace: false,
      requireEachIncludedType: true,
    };
    expect(() => generatePassword(policy)).toThrow(/shorter than the 4 required character classes/);
    expect(() => generatePassword({ ...policy, length: 11 })).toThrow(/outside the allowed range 1..10/);
    expect(() =>
      generatePassword({
        ...policy,
        length: 5,
        excludeUppercase: true,
        excludeLowercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      }),
    ).toThrow(/excludes every character/);
  });
});
