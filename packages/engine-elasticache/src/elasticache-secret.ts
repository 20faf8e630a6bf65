import * as z from 'zod';
import { parseUserArn, USER_NAME_PATTERN } from './user-ids.js';

/**
 * The secret AWS's ElastiCache page documents (`username`, `user_arn`, `password` once rotated), plus
 * optional data-plane fields (`host`, `port`, `tls`) that applications may read. The engine trusts none
 * of them for where to send a password: `host`/`port` may only pick one of the endpoints the function
 * trusts (configured, or the caches holding the user), and `tls` is never used (`false` is ignored with
 * a warning). Unknown keys are kept, and values are not transformed, so a rotation writes back exactly
 * what the operator stored.
 */
export const elastiCacheSecretSchema = z.looseObject({
  username: z
    .string()
    .regex(USER_NAME_PATTERN, 'must be 1-128 printable characters without spaces (an ElastiCache user name)'),
  user_arn: z.string().refine((arn) => parseUserArn(arn) !== undefined, {
    message: 'must be an ElastiCache user ARN: arn:aws:elasticache:<region>:<account>:user:<user-id>',
  }),
  password: z.string().optional(),
  masterarn: z.string().optional(),
  /** A cache endpoint (primary or configuration endpoint); must be one the function trusts. */
  host: z.string().min(1).max(253).optional(),
  port: z.union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}$/)]).optional(),
  /** Kept for applications; the engine never lets it turn TLS off. */
  tls: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});

export type ElastiCacheSecret = z.infer<typeof elastiCacheSecretSchema>;
