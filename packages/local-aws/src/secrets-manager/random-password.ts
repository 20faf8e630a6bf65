import { randomInt } from 'node:crypto';
import { AwsApiError } from '../service.js';

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMBERS = '0123456789';
/** AWS's punctuation set for GetRandomPassword. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface RandomPasswordOptions {
  length: number;
  excludeCharacters: string;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  includeSpace: boolean;
  requireEachIncludedType: boolean;
}

/**
 * GetRandomPassword with AWS's options: excluded characters leave every class; with
 * RequireEachIncludedType (AWS's default) the password holds at least one character of each remaining
 * letter/number/punctuation class. Uses a CSPRNG and an unbiased shuffle.
 */
export function randomPassword(options: RandomPasswordOptions): string {
  const keep = (chars: string) =>
    [...chars].filter((char) => !options.excludeCharacters.includes(char)).join('');
  const classes = [
    options.excludeLowercase ? '' : keep(LOWERCASE),
    options.excludeUppercase ? '' : keep(UPPERCASE),
    options.excludeNumbers ? '' : keep(NUMBERS),
    options.excludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars.length > 0);
  const space = options.includeSpace ? keep(' ') : '';
  const all = classes.join('') + space;
  if (all.length === 0) {
    throw new AwsApiError(
      'InvalidParameterException',
      'The password can not be generated: every character type is excluded.',
    );
  }
  const required = options.requireEachIncludedType ? classes : [];
  if (options.length < required.length) {
    throw new AwsApiError(
      'InvalidParameterException',
      'Password length is too short based on the required types.',
    );
  }
  const chars = required.map((set) => pick(set));
  while (chars.length < options.length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)]!;
}

export const PASSWORD_CLASSES = { LOWERCASE, UPPERCASE, NUMBERS, PUNCTUATION } as const;
