import { InvalidConfigurationError } from '../errors.js';
import type { PasswordPolicy } from './contract.js';

export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const NUMBERS = '0123456789';
/** Secrets Manager's punctuation set (GetRandomPassword). */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The character classes a policy allows, each without the excluded characters; empty classes dropped. */
export function allowedCharacterClasses(policy: PasswordPolicy): string[] {
  const excluded = new Set(policy.excludeCharacters);
  const classes: string[] = [];
  if (!policy.excludeUppercase) classes.push(UPPERCASE);
  if (!policy.excludeLowercase) classes.push(LOWERCASE);
  if (!policy.excludeNumbers) classes.push(NUMBERS);
  if (!policy.excludePunctuation) classes.push(PUNCTUATION);
  if (policy.includeSpace) classes.push(' ');
  return classes
    .map((characters) => [...characters].filter((character) => !excluded.has(character)).join(''))
    .filter((characters) => characters.length > 0);
}

/** Lists what is wrong with a policy (empty when it is usable). */
export function validatePasswordPolicy(policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  const { length, minLength, maxLength } = policy;
  if (
    !Number.isInteger(minLength) ||
    !Number.isInteger(maxLength) ||
    minLength < 1 ||
    maxLength < minLength
  ) {
    problems.push(`password length limits ${minLength}..${maxLength} are invalid`);
  } else if (!Number.isInteger(length) || length < minLength || length > maxLength) {
    problems.push(`password length ${length} is outside the allowed range ${minLength}..${maxLength}`);
  }
  const classes = allowedCharacterClasses(policy);
  if (classes.length === 0) problems.push('the password policy excludes every character');
  if (policy.requireEachIncludedType && classes.length > length) {
    problems.push(
      `password length ${length} is shorter than the ${classes.length} required character classes`,
    );
  }
  return problems;
}

/** Whether a password satisfies a policy (used by tests and by createSecret on GetRandomPassword output). */
export function passwordSatisfiesPolicy(password: string, policy: PasswordPolicy): boolean {
  if (password.length !== policy.length) return false;
  const classes = allowedCharacterClasses(policy);
  const allowed = new Set(classes.join(''));
  for (const character of password) if (!allowed.has(character)) return false;
  if (policy.requireEachIncludedType) {
    for (const characters of classes) if (![...password].some((c) => characters.includes(c))) return false;
  }
  return true;
}

/**
 * The defaults `definePasswordPolicy` starts from: 32 characters of every class, at least one of each,
 * within limits (8..128) that most targets accept. An engine states only where its target differs.
 */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  length: 32,
  minLength: 8,
  maxLength: 128,
  excludeCharacters: '',
  excludeUppercase: false,
  excludeLowercase: false,
  excludeNumbers: false,
  excludePunctuation: false,
  includeSpace: false,
  requireEachIncludedType: true,
});

/**
 * A complete, checked password policy from the fields that differ from {@link DEFAULT_PASSWORD_POLICY}.
 * Throws InvalidConfigurationError (naming every problem) when no password could satisfy it, so a bad
 * policy fails when the function starts.
 *
 * @example
 * ```ts
 * const policy = definePasswordPolicy({ maxLength: 64, excludeCharacters: '"\'\\/@:' });
 * ```
 */
export function definePasswordPolicy(
  overrides: Partial<PasswordPolicy> = {},
  label = 'password policy',
): PasswordPolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const policy: PasswordPolicy = Object.freeze({ ...DEFAULT_PASSWORD_POLICY, ...defined });
  const problems = validatePasswordPolicy(policy);
  if (problems.length > 0) throw new InvalidConfigurationError(`Invalid ${label}: ${problems.join('; ')}`);
  return policy;
}
