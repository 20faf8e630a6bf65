import * as z from 'zod';

export const DEFAULT_PORT = 5432;
export const DEFAULT_DATABASE = 'postgres';
/** NAMEDATALEN - 1: PostgreSQL silently truncates longer identifiers, which could name another role. */
export const MAX_IDENTIFIER_BYTES = 63;

const username = z
  .string()
  .min(1)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_IDENTIFIER_BYTES, {
    message: `must be at most ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL truncates longer role names)`,
  })
  .refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL' });

/** AWS's PostgreSQL functions refuse a secret whose `engine` is not `postgres`; so does Rotor. */
const engine = z
  .string()
  .refine((value): boolean => value === 'postgres', {
    message: 'must be "postgres" (this function rotates PostgreSQL users)',
  })
  .optional();

const port = z.union([z.number().int().min(1).max(65_535), z.string().regex(/^\d{1,5}$/)]);

/**
 * The rotated secret, in the shape AWS's RDS PostgreSQL rotation functions use
 * (`engine`, `host`, `port`, `username`, `password`, `dbname`, optional `masterarn`). Unknown keys are kept.
 */
export const postgresSecretSchema = z.looseObject({
  engine,
  host: z.string().min(1),
  port: port.optional(),
  username,
  password: z.string().optional(),
  dbname: z.string().min(1).optional(),
  masterarn: z.string().min(1).optional(),
});
export type PostgresSecret = z.infer<typeof postgresSecretSchema>;

/**
 * The admin secret behind `masterarn`: a role with CREATEROLE (or superuser). Its location defaults to the
 * user's; an RDS-managed master secret has only `username` and `password` and is located through RDS.
 */
export const postgresAdminSecretSchema = z.looseObject({
  engine,
  username,
  password: z.string().min(1),
  host: z.string().min(1).optional(),
  port: port.optional(),
  dbname: z.string().min(1).optional(),
});
export type PostgresAdminSecret = z.infer<typeof postgresAdminSecretSchema>;

export function portOf(secret: { port?: number | string | undefined }): number {
  return secret.port === undefined ? DEFAULT_PORT : Number(secret.port);
}
