/**
 * Redshift's password rules, and the password settings of AWS's Redshift functions (PASSWORD_LENGTH,
 * EXCLUDE_CHARACTERS, EXCLUDE_PUNCTUATION, REQUIRE_EACH_INCLUDED_TYPE) mapped onto them. Redshift
 * accepts an md5 hash without checking the password behind it, so Rotor checks the rules itself, once,
 * when the function starts: a configuration that could produce an unusable password never runs.
 */
import {
  InvalidConfigurationError,
  LOWERCASE,
  NUMBERS,
  type PasswordPolicy,
  UPPERCASE,
  validatePasswordPolicy,
} from '@rotor/core/engine';
import * as z from 'zod';

export const REDSHIFT_MIN_PASSWORD_LENGTH = 8;
export const REDSHIFT_MAX_PASSWORD_LENGTH = 64;
/** Characters Redshift never allows in a password: ' " \ / @ and space. */
export const REDSHIFT_FORBIDDEN_CHARACTERS = '\'"\\/@ ';
/** AWS's Redshift functions' default EXCLUDE_CHARACTERS (their list plus `:`). */
export const AWS_DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\:';

export const passwordOptionsSchema = z
  .object({
    length: z.number().int().default(32),
    /** Extra characters to leave out; Redshift's forbidden characters are always left out too. */
    excludeCharacters: z.string().default(AWS_DEFAULT_EXCLUDE_CHARACTERS),
    excludePunctuation: z.boolean().default(false),
    requireEachIncludedType: z.boolean().default(true),
  })
  .strict();

export type RedshiftPasswordOptions = z.input<typeof passwordOptionsSchema>;

/** Builds the policy core generates passwords from; throws InvalidConfigurationError outside Redshift's rules. */
export function redshiftPasswordPolicy(options: RedshiftPasswordOptions = {}): PasswordPolicy {
  const parsed = passwordOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `Invalid Redshift password options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { length, excludeCharacters, excludePunctuation, requireEachIncludedType } = parsed.data;
  const problems: string[] = [];
  if (length < REDSHIFT_MIN_PASSWORD_LENGTH || length > REDSHIFT_MAX_PASSWORD_LENGTH) {
    problems.push(
      `password length ${length} is outside Redshift's ${REDSHIFT_MIN_PASSWORD_LENGTH}-${REDSHIFT_MAX_PASSWORD_LENGTH} characters`,
    );
  }
  if (!requireEachIncludedType) {
    problems.push(
      'REQUIRE_EACH_INCLUDED_TYPE must stay true: Redshift needs an upper-case letter, a lower-case letter and a digit in every password',
    );
  }
  const excluded = new Set(excludeCharacters);
  for (const [name, characters] of [
    ['upper-case letter', UPPERCASE],
    ['lower-case letter', LOWERCASE],
    ['digit', NUMBERS],
  ] as const) {
    if ([...characters].every((character) => excluded.has(character))) {
      problems.push(`EXCLUDE_CHARACTERS leaves no ${name}, which Redshift requires`);
    }
  }
  const policy: PasswordPolicy = {
    length,
    minLength: REDSHIFT_MIN_PASSWORD_LENGTH,
    maxLength: REDSHIFT_MAX_PASSWORD_LENGTH,
    excludeCharacters: mergeCharacters(excludeCharacters, REDSHIFT_FORBIDDEN_CHARACTERS),
    excludeUppercase: false,
    excludeLowercase: false,
    excludeNumbers: false,
    excludePunctuation,
    includeSpace: false,
    requireEachIncludedType: true,
  };
  if (problems.length === 0) problems.push(...validatePasswordPolicy(policy));
  if (problems.length > 0) {
    throw new InvalidConfigurationError(`Redshift password policy refused: ${problems.join('; ')}`);
  }
  return policy;
}

function mergeCharacters(...sets: string[]): string {
  return [...new Set(sets.join(''))].join('');
}

/** Whether a password meets Redshift's rules (for tests and for passwords Rotor did not generate). */
export function meetsRedshiftRules(password: string): boolean {
  if (password.length < REDSHIFT_MIN_PASSWORD_LENGTH || password.length > REDSHIFT_MAX_PASSWORD_LENGTH)
    return false;
  if (![...password].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126)) return false;
  if ([...password].some((c) => REDSHIFT_FORBIDDEN_CHARACTERS.includes(c))) return false;
  return /[A-Z]/.test(password) && /[a-z]/.test(password) && /[0-9]/.test(password);
}

const TRUE_WORDS = new Set(['true', '1', 'y', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'n', 'no']);

/**
 * Reads the password settings the way AWS's Redshift functions name them. Unlike them, a value that is
 * not a number or a yes/no word is refused instead of silently read as false.
 */
export function passwordOptionsFromEnv(env: Record<string, string | undefined>): RedshiftPasswordOptions {
  const options: RedshiftPasswordOptions = {};
  const length = env.PASSWORD_LENGTH?.trim();
  if (length !== undefined && length !== '') {
    if (!/^\d+$/.test(length)) {
      throw new InvalidConfigurationError(
        `PASSWORD_LENGTH must be a whole number, got ${JSON.stringify(length)}`,
      );
    }
    options.length = Number(length);
  }
  if (env.EXCLUDE_CHARACTERS !== undefined) options.excludeCharacters = env.EXCLUDE_CHARACTERS;
  const punctuation = readBoolean(env, 'EXCLUDE_PUNCTUATION');
  if (punctuation !== undefined) options.excludePunctuation = punctuation;
  const eachType = readBoolean(env, 'REQUIRE_EACH_INCLUDED_TYPE');
  if (eachType !== undefined) options.requireEachIncludedType = eachType;
  return options;
}

function readBoolean(env: Record<string, string | undefined>, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new InvalidConfigurationError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}
