/**
 * The password settings of AWS's PostgreSQL rotation functions (PASSWORD_LENGTH, EXCLUDE_CHARACTERS,
 * EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE, REQUIRE_EACH_INCLUDED_TYPE), with
 * their meaning: `excludeCharacters` replaces the default list, the four switches drop a character class, and
 * `requireEachIncludedType` puts one character of every class left in each password. Checked once, when the
 * engine is created, so a configuration that cannot produce a password never runs.
 */
import { InvalidConfigurationError, type PasswordPolicy, validatePasswordPolicy } from '@rotor/core/engine';
import * as z from 'zod';

/**
 * Left out by default: the characters that break connection URLs, .pgpass lines and shell quoting
 * (`"'\/@:`). AWS's PostgreSQL functions leave out `/@"'\`; `:` is added for .pgpass.
 */
export const DEFAULT_EXCLUDE_CHARACTERS = '"\'\\/@:';
export const MIN_PASSWORD_LENGTH = 8;
/** Generous for PostgreSQL (which has no practical limit) and every client library Rotor knows of. */
export const MAX_PASSWORD_LENGTH = 128;

export const passwordOptionsSchema = z
  .object({
    length: z.number().int().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).default(32),
    excludeCharacters: z.string().max(200).default(DEFAULT_EXCLUDE_CHARACTERS),
    excludeNumbers: z.boolean().default(false),
    excludePunctuation: z.boolean().default(false),
    excludeUppercase: z.boolean().default(false),
    excludeLowercase: z.boolean().default(false),
    requireEachIncludedType: z.boolean().default(true),
  })
  .strict();

export type PostgresPasswordOptions = z.input<typeof passwordOptionsSchema>;

/** The policy core generates passwords from (locally or with GetRandomPassword). */
export function postgresPasswordPolicyFrom(options: PostgresPasswordOptions = {}): PasswordPolicy {
  const parsed = passwordOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `Invalid PostgreSQL password options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'password'}: ${i.message}`).join('; ')}`,
    );
  }
  const value = parsed.data;
  const policy: PasswordPolicy = {
    length: value.length,
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    excludeCharacters: value.excludeCharacters,
    excludeUppercase: value.excludeUppercase,
    excludeLowercase: value.excludeLowercase,
    excludeNumbers: value.excludeNumbers,
    excludePunctuation: value.excludePunctuation,
    // Never a space: it does not survive connection strings and .pgpass files.
    includeSpace: false,
    requireEachIncludedType: value.requireEachIncludedType,
  };
  const problems = validatePasswordPolicy(policy);
  if (problems.length > 0) {
    throw new InvalidConfigurationError(`PostgreSQL password policy refused: ${problems.join('; ')}`);
  }
  return policy;
}
