/** GetRandomPassword: AWS's defaults (32 characters, each included type required). */
import { type Input, optionalBoolean, optionalInteger, optionalString } from '../input.js';
import { randomPassword } from '../random-password.js';

export function getRandomPassword(_context: unknown, input: Input) {
  const length = optionalInteger(input, 'PasswordLength', { min: 1, max: 4096 }) ?? 32;
  return {
    RandomPassword: randomPassword({
      length,
      excludeCharacters: optionalString(input, 'ExcludeCharacters', { max: 4096 }) ?? '',
      excludeNumbers: optionalBoolean(input, 'ExcludeNumbers') ?? false,
      excludePunctuation: optionalBoolean(input, 'ExcludePunctuation') ?? false,
      excludeUppercase: optionalBoolean(input, 'ExcludeUppercase') ?? false,
      excludeLowercase: optionalBoolean(input, 'ExcludeLowercase') ?? false,
      includeSpace: optionalBoolean(input, 'IncludeSpace') ?? false,
      requireEachIncludedType: optionalBoolean(input, 'RequireEachIncludedType') ?? true,
    }),
  };
}
