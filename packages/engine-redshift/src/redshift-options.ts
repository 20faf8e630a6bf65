/**
 * The options of `redshiftEngine`, parsed once when the function starts; Redshift's password rules, and the
 * password settings of AWS's Redshift functions (PASSWORD_LENGTH,
 * EXCLUDE_CHARACTERS, EXCLUDE_PUNCTUATION, REQUIRE_EACH_INCLUDED_TYPE) mapped onto them. Redshift
 * accepts an md5 hash without checking the password behind it, so Rotor checks the rules itself, once,
 * when the function starts: a configuration that could produce an unusable password never runs.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import {
  definePasswordPolicy,
  InvalidConfigurationError,
  LOWERCASE,
  NUMBERS,
  type PasswordPolicy,
  parseOptions,
  UPPERCASE,
} from '@rotor/core/engine';
import * as z from 'zod';
import type { StatementObserver } from './transport.js';

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
  const { length, excludeCharacters, excludePunctuation, requireEachIncludedType } = parseOptions(
    passwordOptionsSchema,
    options,
    'Redshift password options',
  );
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
  if (problems.length > 0) {
    throw new InvalidConfigurationError(`Redshift password policy refused: ${problems.join('; ')}`);
  }
  return definePasswordPolicy(
    {
      length,
      minLength: REDSHIFT_MIN_PASSWORD_LENGTH,
      maxLength: REDSHIFT_MAX_PASSWORD_LENGTH,
      excludeCharacters: mergeCharacters(excludeCharacters, REDSHIFT_FORBIDDEN_CHARACTERS),
      excludePunctuation,
    },
    'Redshift password policy',
  );
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

// ---- the engine's options ----

const dataApiClientSchema = z.custom<RedshiftDataClient>(
  (value) => typeof (value as { send?: unknown } | null)?.send === 'function',
  'dataApi.client must be a RedshiftDataClient',
);

const sdkClientSchema = <T>(label: string) =>
  z.custom<T>(
    (value) => typeof (value as { send?: unknown } | null)?.send === 'function',
    `${label} must be an SDK client`,
  );

export const redshiftEngineOptionsSchema = z
  .object({
    transport: z.enum(['pg', 'data-api']).default('pg'),
    /**
     * Hosts (`host` or `host:port`, port 5439 by default) the function may connect to. When given, a secret's
     * host must be one of them and the control plane is not asked; otherwise the endpoints come from
     * DescribeClusters / GetWorkgroup for the cluster or workgroup.
     */
    allowedHosts: z.array(z.string().min(1)).min(1).optional(),
    /** The cluster this function rotates users of; a secret naming another is refused. */
    clusterIdentifier: z.string().min(1).optional(),
    /** The Serverless workgroup this function rotates users of; a secret naming another is refused. */
    workgroupName: z.string().min(1).optional(),
    /** Clients (or the region) for DescribeClusters / GetWorkgroup / GetNamespace. */
    controlPlane: z
      .object({
        redshift: sdkClientSchema<Pick<RedshiftClient, 'send'>>('controlPlane.redshift').optional(),
        serverless:
          sdkClientSchema<Pick<RedshiftServerlessClient, 'send'>>('controlPlane.serverless').optional(),
        region: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    pg: z
      .object({
        /** `verify-full` (default) encrypts and checks the certificate and host name. */
        tls: z.enum(['verify-full', 'require', 'disable']).default('verify-full'),
        /** PEM bundle to trust (default: Node's roots, which include Amazon's). */
        ca: z.string().min(1).optional(),
        connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
        queryTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
      })
      .strict()
      .default({ tls: 'verify-full', connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 }),
    dataApi: z
      .object({
        client: dataApiClientSchema.optional(),
        /** Endpoint override when no client is given (AWS_ENDPOINT_URL_REDSHIFT_DATA works too). */
        endpoint: z.url().optional(),
        region: z.string().min(1).optional(),
        /**
         * `secret-arn`: as the stored secret. `temporary-credentials`: as the database user (DbUser), through
         * IAM; provisioned clusters only (Serverless derives the user from the IAM identity).
         */
        auth: z.enum(['secret-arn', 'temporary-credentials']).default('secret-arn'),
        /**
         * `pg` (default): prove logins with a direct connection to a trusted endpoint (needs network reach);
         * `none`: report them skipped, which fails testSecret unless the login test is off.
         */
        loginCheck: z.enum(['none', 'pg']).default('pg'),
        statementTimeoutMs: z.number().int().min(1_000).max(900_000).default(60_000),
        /** First wait before DescribeStatement; grows 1.5x up to 2 s (most statements finish in well under a second). */
        pollIntervalMs: z.number().int().min(10).max(10_000).default(100),
      })
      .strict()
      .default({ auth: 'secret-arn', loginCheck: 'pg', statementTimeoutMs: 60_000, pollIntervalMs: 100 }),
    password: passwordOptionsSchema.default({
      length: 32,
      excludeCharacters: '/@"\'\\:',
      excludePunctuation: false,
      requireEachIncludedType: true,
    }),
    /** `auto` asks the server (`version()`); `postgresql` is the local stand-in used by tests. */
    dialect: z.enum(['auto', 'redshift', 'postgresql']).default('auto'),
    /**
     * `on-create` (AWS's behaviour): privileges are copied when the clone is created. `every-rotation`:
     * missing memberships and privileges are added again whenever the clone's password changes (additive).
     */
    copyPrivileges: z.enum(['on-create', 'every-rotation']).default('on-create'),
    /** Sees every statement text sent (for audits and tests); never sees a password. */
    onStatement: z.custom<StatementObserver>((value) => typeof value === 'function').optional(),
  })
  .strict()
  .refine((value) => !(value.clusterIdentifier && value.workgroupName), {
    message: 'give clusterIdentifier or workgroupName, not both',
  });

export type RedshiftEngineOptions = z.input<typeof redshiftEngineOptionsSchema>;
export type ResolvedRedshiftOptions = z.output<typeof redshiftEngineOptionsSchema>;

/** Validates the options (zod): a bad configuration fails when the function starts. */
export function parseRedshiftOptions(options: RedshiftEngineOptions): ResolvedRedshiftOptions {
  return parseOptions(redshiftEngineOptionsSchema, options, 'Redshift engine options');
}
