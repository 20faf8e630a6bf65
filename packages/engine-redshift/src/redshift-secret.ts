/**
 * The Redshift secret, in the format of AWS's own Redshift rotation functions. Unknown keys
 * (`dbClusterIdentifier`, `workgroupName`, anything a team adds) are kept, so they survive every rotation.
 */
import * as z from 'zod';

/** Redshift limits user names to 127 bytes. */
export const MAX_USERNAME_BYTES = 127;

/**
 * Why a user name is refused, or undefined when it is usable. Quoting alone would make any name safe in
 * SQL; these rules refuse, before anything is written, names that cannot be a Redshift user or that are
 * almost certainly an injection attempt:
 * - a double quote or control character: never part of a real user name;
 * - upper case: Redshift folds user names to lower case (even quoted ones, unless
 *   enable_case_sensitive_identifier is on), so the md5 hash, salted with the name, would not match.
 */
export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'the user name is empty';
  if (Buffer.byteLength(username, 'utf8') > MAX_USERNAME_BYTES) {
    return `the user name is longer than Redshift's ${MAX_USERNAME_BYTES} bytes`;
  }
  if (username.includes('"')) return 'the user name contains a double quote';
  if ([...username].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return 'the user name contains a control character';
  if (username !== username.toLowerCase()) {
    return 'the user name has upper-case letters; Redshift stores user names in lower case';
  }
  return undefined;
}

export const redshiftUsernameSchema = z.string().superRefine((value, context) => {
  const problem = usernameProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Port as AWS's functions accept it: a number or a string of digits (kept as given, never rewritten). */
const portSchema = z.union([
  z.number().int().min(1).max(65_535),
  z.string().regex(/^\d{1,5}$/, 'port must be a number'),
]);

export const redshiftSecretSchema = z.looseObject({
  engine: z.literal('redshift', { message: 'engine must be "redshift"' }),
  host: z.string().min(1, 'host is required'),
  port: portSchema.optional(),
  username: redshiftUsernameSchema,
  password: z.string().min(1).optional(),
  dbname: z.string().min(1).optional(),
  masterarn: z.string().min(1).optional(),
});

export type RedshiftSecret = z.infer<typeof redshiftSecretSchema>;

/** Defaults of AWS's functions: port 5439, database `dev`. */
export const DEFAULT_PORT = 5439;
export const DEFAULT_DATABASE = 'dev';

export function secretPort(secret: { port?: string | number | undefined }, fallback = DEFAULT_PORT): number {
  return secret.port === undefined ? fallback : Number(secret.port);
}
