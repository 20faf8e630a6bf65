/**
 * How a user authenticates, resolved from CreateUser/ModifyUser's overlapping parameters (Passwords,
 * NoPasswordRequired, AuthenticationMode). Only SHA-256 digests of passwords are kept: Redis accepts
 * `#<sha256hex>` in `ACL SETUSER` (redis/redis src/acl.c), so clear-text passwords never leave the request.
 */
import { createHash } from 'node:crypto';
import { invalidCombination, invalidValue } from './query-input.js';
import { type InputAuthenticationType, validatePasswords } from './validation.js';

/** The output type names: `Authentication.Type` in User is `password | no-password | iam`. */
export type AuthenticationType = 'password' | 'no-password' | 'iam';

export interface UserAuthentication {
  readonly type: AuthenticationType;
  /** SHA-256 hex digests, in the order given; at most two. */
  readonly passwordHashes: readonly string[];
}

export interface AuthenticationInput {
  readonly passwords?: readonly string[] | undefined;
  readonly noPasswordRequired?: boolean | undefined;
  readonly mode?:
    | { readonly type?: InputAuthenticationType; readonly passwords?: readonly string[] }
    | undefined;
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

function withPasswords(passwords: readonly string[]): UserAuthentication {
  validatePasswords(passwords);
  return { type: 'password', passwordHashes: passwords.map(hashPassword) };
}

/** The authentication an input asks for, or undefined when it does not touch authentication. */
function requested(input: AuthenticationInput): UserAuthentication | undefined {
  const { passwords, noPasswordRequired, mode } = input;
  if (passwords && passwords.length > 0 && noPasswordRequired === true) {
    throw invalidCombination('Passwords cannot be provided when NoPasswordRequired is true.');
  }
  if (mode) {
    if (passwords && passwords.length > 0) {
      throw invalidCombination('Passwords and AuthenticationMode cannot be provided together.');
    }
    if (noPasswordRequired === true) {
      throw invalidCombination('NoPasswordRequired and AuthenticationMode cannot be provided together.');
    }
    const modePasswords = mode.passwords ?? [];
    switch (mode.type) {
      case undefined:
        throw invalidValue('AuthenticationMode.Type is required.');
      case 'password':
        if (modePasswords.length === 0) {
          throw invalidValue('A user with Authentication Mode: password, must have at least one password.');
        }
        return withPasswords(modePasswords);
      case 'no-password-required':
      case 'iam':
        if (modePasswords.length > 0) {
          throw invalidCombination(`Passwords cannot be provided with Authentication Mode: ${mode.type}.`);
        }
        return { type: mode.type === 'iam' ? 'iam' : 'no-password', passwordHashes: [] };
    }
  }
  if (passwords && passwords.length > 0) return withPasswords(passwords);
  if (noPasswordRequired === true) return { type: 'no-password', passwordHashes: [] };
  return undefined;
}

export function resolveCreateAuthentication(input: AuthenticationInput): UserAuthentication {
  const result = requested(input);
  if (!result) {
    throw invalidValue('No password was provided. Provide Passwords, or set NoPasswordRequired to true.');
  }
  return result;
}

/** The authentication after ModifyUser, or undefined when the request leaves it unchanged. */
export function resolveModifyAuthentication(
  current: UserAuthentication,
  input: AuthenticationInput,
): UserAuthentication | undefined {
  const result = requested(input);
  if (result) return result;
  if (input.noPasswordRequired === false && current.type === 'no-password') {
    throw invalidCombination('Passwords must be provided when NoPasswordRequired is false.');
  }
  return undefined;
}

/** The arguments of `ACL SETUSER` that set this authentication on a user that was just `reset`. */
export function authenticationRules(authentication: UserAuthentication): string[] {
  switch (authentication.type) {
    case 'no-password':
      return ['nopass'];
    case 'password':
      return authentication.passwordHashes.map((hash) => `#${hash}`);
    case 'iam':
      // Redis has no IAM tokens; an IAM user keeps no password, so AUTH against it always fails here.
      return [];
  }
}
