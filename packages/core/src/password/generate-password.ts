import { randomInt } from 'node:crypto';
import type { PasswordPolicy } from '../engine/contract.js';
import { allowedCharacterClasses, validatePasswordPolicy } from '../engine/password-policy.js';
import { InvalidConfigurationError } from '../errors.js';

/** Returns a uniform integer in [0, max); the default is node's CSPRNG (`crypto.randomInt`, unbiased). */
export type RandomIndex = (max: number) => number;

/**
 * Generates a password that satisfies `policy`, with a cryptographically secure random source.
 * With `requireEachIncludedType`, one character of each allowed class is placed first and the whole
 * password is then shuffled, so the required characters do not sit at predictable positions.
 */
export function generatePassword(policy: PasswordPolicy, randomIndex: RandomIndex = randomInt): string {
  const problems = validatePasswordPolicy(policy);
  if (problems.length > 0) {
    throw new InvalidConfigurationError(`Cannot generate a password: ${problems.join('; ')}`);
  }
  const classes = allowedCharacterClasses(policy);
  const alphabet = classes.join('');
  const characters: string[] = [];
  if (policy.requireEachIncludedType) {
    for (const characterClass of classes) characters.push(pick(characterClass, randomIndex));
  }
  while (characters.length < policy.length) characters.push(pick(alphabet, randomIndex));
  // Fisher-Yates shuffle.
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomIndex(index + 1);
    [characters[index], characters[other]] = [characters[other]!, characters[index]!];
  }
  return characters.join('');
}

function pick(characters: string, randomIndex: RandomIndex): string {
  return characters[randomIndex(characters.length)]!;
}
