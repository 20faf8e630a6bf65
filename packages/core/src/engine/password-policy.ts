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
