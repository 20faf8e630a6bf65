import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
/**
 * The options of `elastiCacheEngine` (the settings of AWS's ElastiCache rotation function, by their names
 * in the comments), parsed once when the function starts, and ElastiCache's password rules.
 */
import { definePasswordPolicy, type PasswordPolicy, parseOptions } from '@rotor/core/engine';
import * as z from 'zod';
import { parseCacheArn } from './trusted-endpoints.js';

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
  return definePasswordPolicy(
    { length, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, excludeCharacters: excluded },
    'ElastiCache password policy',
  );
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

const dataPlaneSchema = z
  .strictObject({
    /**
     * The cache endpoint for login tests (ROTOR_CACHE_HOST). Without it, the engine logs in at the caches
     * whose user groups hold the user, as the control plane reports them. A secret's `host`/`port` may
     * only pick one of these trusted endpoints.
     */
    host: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).default(6379),
    /** TLS to `host` (ROTOR_CACHE_TLS). Caches found through the control plane use their own setting. */
    tls: z.boolean().default(true),
    /** Verify certificates (ROTOR_CACHE_TLS_VERIFY), for every cache connection. */
    rejectUnauthorized: z.boolean().default(true),
    /** A PEM file of CA certificates to verify caches with, instead of the system's (ROTOR_CACHE_CA_FILE). */
    caFile: z.string().min(1).optional(),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /**
     * The replication groups and serverless caches the login test may use (ROTOR_CACHE_ARNS; the template's
     * CacheArns). When given, the caches that admit a user are found among these, one Describe call each,
     * instead of through its user groups (decision 0094).
     */
    caches: z
      .array(
        z.string().transform((arn, ctx) => {
          const cache = parseCacheArn(arn);
          if (cache) return cache;
          ctx.addIssue({
            code: 'custom',
            message: 'must be an ElastiCache replication group or serverless cache ARN',
          });
          return z.NEVER;
        }),
      )
      .min(1)
      .max(100)
      .optional(),
  })
  .refine((dataPlane) => dataPlane.tls || dataPlane.host !== undefined, {
    message:
      'tls: false applies only to a configured host; caches found through the control plane use TLS as their in-transit encryption says',
    path: ['tls'],
  });

export const elastiCacheEngineOptionsSchema = z.strictObject({
  /** A configured ElastiCache client (tests, custom credentials). Default: one per region of the user ARN. */
  client: z
    .custom<ElastiCacheClient>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { send?: unknown }).send === 'function',
      { message: 'must be an ElastiCacheClient' },
    )
    .optional(),
  /** Region for the control plane; default: the region in the secret's `user_arn`. */
  region: z.string().min(1).optional(),
  /** Control-plane endpoint override (the SDK's AWS_ENDPOINT_URL_ELASTICACHE also works). */
  endpoint: z.url().optional(),
  dataPlane: dataPlaneSchema.default({
    port: 6379,
    tls: true,
    rejectUnauthorized: true,
    connectTimeoutMs: 5_000,
  }),
  /** PASSWORD_LENGTH. ElastiCache accepts 16-128. */
  passwordLength: z
    .number()
    .int()
    .min(MIN_PASSWORD_LENGTH)
    .max(MAX_PASSWORD_LENGTH)
    .default(DEFAULT_PASSWORD_LENGTH),
  /** EXCLUDE_CHARACTERS: replaces the default set, as in AWS's function; `,"/@` and space are always excluded. */
  excludeCharacters: z.string().max(200).default(DEFAULT_EXCLUDE_CHARACTERS),
  /** MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: longest wait for `active` in one invocation (the Lambda deadline also bounds it). */
  maxWaitingTimeMs: z
    .number()
    .int()
    .min(0)
    .max(15 * 60_000)
    .default(600_000),
  /** WAITING_RETRY_INTERVAL_IN_SECONDS: the cap of the polling backoff (AWS's function polls at this fixed interval). */
  retryIntervalMs: z
    .number()
    .int()
    .min(1)
    .max(15 * 60_000)
    .default(10_000),
  /** First poll delay; the delay then grows by `pollFactor` up to `retryIntervalMs`. */
  initialPollDelayMs: z.number().int().min(1).max(60_000).default(200),
  pollFactor: z.number().min(1).max(10).default(2),
  /** SECRET_ARN: when set, the function rotates only this secret. */
  secretArn: z.string().min(1).optional(),
  /** USER_NAME: when set, the secret's `username` must be this user. */
  userName: z.string().min(1).optional(),
  /** With alternating users, also accept USER_NAME's alternate (`<name>-clone`). */
  acceptAlternateUserName: z.boolean().default(false),
  /**
   * The seed workflow creates the user `off` and without a password. When true, the ModifyUser that first
   * gives such a user its passwords also switches it `on`. Off by default: enabling access is the operator's call.
   */
  enableDisabledUser: z.boolean().default(false),
});

export type ElastiCacheEngineOptions = z.input<typeof elastiCacheEngineOptionsSchema>;
export type ResolvedElastiCacheEngineOptions = z.output<typeof elastiCacheEngineOptionsSchema>;

export function resolveOptions(options: ElastiCacheEngineOptions): ResolvedElastiCacheEngineOptions {
  return parseOptions(elastiCacheEngineOptionsSchema, options, 'ElastiCache engine options');
}
