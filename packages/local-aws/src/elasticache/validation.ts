/**
 * ElastiCache's input rules for users and user groups. Sources: the API reference (CreateUser, ModifyUser,
 * CreateUserGroup: id pattern `[a-zA-Z][a-zA-Z0-9\-]*`, ids stored lowercase, up to two passwords) and the
 * RBAC guide (passwords are 16–128 printable characters without `,` `"` `/` `@`). Messages never include
 * a password.
 */
import { invalidValue } from './query-input.js';

export type ElastiCacheEngine = 'redis' | 'valkey';

const ID_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]*$/;

/** Validates a UserId or UserGroupId and returns it lowercased, as ElastiCache stores it. */
export function normalizeId(kind: 'UserId' | 'UserGroupId', value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw invalidValue(
      `${kind} must begin with a letter and contain only ASCII letters, digits, and hyphens.`,
    );
  }
  if (value.endsWith('-') || value.includes('--')) {
    throw invalidValue(`${kind} cannot end with a hyphen or contain two consecutive hyphens.`);
  }
  return value.toLowerCase();
}

/** A Redis ACL user name: no whitespace or control characters (Redis refuses them in `ACL SETUSER`). */
export function validateUserName(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw invalidValue('UserName cannot contain spaces or control characters.');
  }
  return value;
}

export function normalizeEngine(value: string): ElastiCacheEngine {
  const lowered = value.toLowerCase();
  if (lowered === 'redis' || lowered === 'valkey') return lowered;
  throw invalidValue(`Invalid engine ${value}. The options are valkey or redis.`);
}

export const MIN_PASSWORD_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_PASSWORDS = 2;
/** Characters the RBAC guide forbids, plus the space (not a printable character outside 33–126). */
const FORBIDDEN_PASSWORD_CHARACTERS = [',', '"', '/', '@', ' '];

/** Checks a password list; the error names the position of the offending password, never its value. */
export function validatePasswords(passwords: readonly string[]): void {
  if (passwords.length === 0) throw invalidValue('At least one password must be provided.');
  if (passwords.length > MAX_PASSWORDS) {
    throw invalidValue(`A user can have at most ${MAX_PASSWORDS} passwords.`);
  }
  passwords.forEach((password, index) => {
    const position = index + 1;
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw invalidValue(
        `Password ${position} must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters long.`,
      );
    }
    for (const char of password) {
      const code = char.codePointAt(0) ?? 0;
      if (FORBIDDEN_PASSWORD_CHARACTERS.includes(char)) {
        throw invalidValue(
          `Password ${position} contains a character that is not allowed. The following characters are not allowed: , " / @ and space.`,
        );
      }
      if (code < 33 || code > 126) {
        throw invalidValue(`Password ${position} must contain only printable ASCII characters.`);
      }
    }
  });
}

export type InputAuthenticationType = 'password' | 'no-password-required' | 'iam';

export function normalizeAuthenticationType(value: string): InputAuthenticationType {
  if (value === 'password' || value === 'no-password-required' || value === 'iam') return value;
  throw invalidValue(
    `Invalid AuthenticationMode.Type ${value}. Valid values are password, no-password-required and iam.`,
  );
}
