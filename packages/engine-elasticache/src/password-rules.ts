import type { PasswordPolicy } from '@rotor/core/engine';

/** ElastiCache RBAC: "Passwords must be 16-128 printable characters", and `,` `"` `/` `@` are not allowed. */
export const MIN_PASSWORD_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 128;
/** Refused by ElastiCache, plus space (not a character GetRandomPassword should add to a Redis password). */
export const ALWAYS_EXCLUDED = ',"/@ ';
/** AWS's function excludes `/@"'\` by default (EXCLUDE_CHARACTERS); we keep `'` and `\` out too. */
export const DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\';
export const DEFAULT_PASSWORD_LENGTH = 32;

export function elastiCachePasswordPolicy(length: number, excludeCharacters: string): PasswordPolicy {
  const excluded = [...new Set([...ALWAYS_EXCLUDED, ...excludeCharacters])].join('');
  return {
    length,
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    excludeCharacters: excluded,
    excludeUppercase: false,
    excludeLowercase: false,
    excludeNumbers: false,
    excludePunctuation: false,
    includeSpace: false,
    requireEachIncludedType: true,
  };
}

/** Why ElastiCache would refuse this password, or undefined when it is acceptable. Never echoes it. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    return `is ${password.length} characters long; ElastiCache needs ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH}`;
  }
  for (const character of password) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x21 || code > 0x7e) return 'contains a space or a non-printable character';
    if (ALWAYS_EXCLUDED.includes(character)) return 'contains one of , " / @ which ElastiCache refuses';
  }
  return undefined;
}
