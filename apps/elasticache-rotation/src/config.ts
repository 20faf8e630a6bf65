import type { StrategyChoice } from '@rotor/core';
import { STRATEGY_IDS } from '@rotor/core/engine';
import type { ElastiCacheEngineOptions } from '@rotor/engine-elasticache';
import { parseEnvironment } from '@rotor/lambda';
import * as z from 'zod';

/**
 * The function's environment: the variables AWS's SecretsManagerElasticacheUserRotation reads (same names,
 * same meaning) plus Rotor's own `ROTOR_*` settings. Read once, at cold start.
 */
const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => ['true', 'false', '1', '0', 'yes', 'no', 'y', 'n'].includes(value), {
    message: 'must be true or false',
  })
  .transform((value) => ['true', '1', 'yes', 'y'].includes(value));

const seconds = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .transform(Number)
    .refine((value) => value <= max, { message: `must be at most ${max} seconds` });

const integerText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((value) => value >= min && value <= max, { message: `must be between ${min} and ${max}` });

const environmentSchema = z.object({
  /** AWS: the Secrets Manager endpoint, e.g. https://secretsmanager.us-east-1.amazonaws.com. Optional here. */
  SECRETS_MANAGER_ENDPOINT: z.url().optional(),
  /** AWS: the one secret this function may rotate. */
  SECRET_ARN: z.string().trim().startsWith('arn:', 'must be a secret ARN').optional(),
  /** AWS: the one ElastiCache user this function may rotate. */
  USER_NAME: z.string().trim().min(1).optional(),
  /** AWS: characters left out of generated passwords (replaces the default); `,"/@` and space always are. */
  EXCLUDE_CHARACTERS: z.string().max(200).optional(),
  /** AWS: generated password length (AWS default 20; ours 32). ElastiCache accepts 16-128. */
  PASSWORD_LENGTH: integerText(16, 128).optional(),
  /** AWS: longest wait for the user to be `active`, in seconds (default 600). */
  MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: seconds(900).optional(),
  /** AWS: polling interval in seconds (default 10). Rotor polls faster at first and caps at this. */
  WAITING_RETRY_INTERVAL_IN_SECONDS: seconds(900)
    .refine((value) => value > 0, { message: 'must be more than 0' })
    .optional(),
  /** auto (default: dual-password, or alternating-users when the secret has masterarn), or a fixed strategy. */
  ROTOR_STRATEGY: z.enum([...STRATEGY_IDS, 'auto']).optional(),
  /** Switch an `off` user on with its first passwords (the seed page creates it off). Default false. */
  ROTOR_ENABLE_DISABLED_USER: booleanText.optional(),
  /** Cache endpoint for the login test when the secret has no host/port. */
  ROTOR_CACHE_HOST: z.string().trim().min(1).max(253).optional(),
  ROTOR_CACHE_PORT: integerText(1, 65535).optional(),
  /** TLS to the cache (default true: ElastiCache RBAC requires in-transit encryption). */
  ROTOR_CACHE_TLS: booleanText.optional(),
  ROTOR_CACHE_TLS_VERIFY: booleanText.optional(),
  ROTOR_LOGIN_TIMEOUT_MS: integerText(100, 60_000).optional(),
  /** local (default, CSPRNG in the function) or secrets-manager (GetRandomPassword). */
  ROTOR_PASSWORD_SOURCE: z.enum(['local', 'secrets-manager']).optional(),
  /** How long before the Lambda deadline waits stop (default 5000 ms). */
  ROTOR_DEADLINE_MARGIN_MS: integerText(0, 120_000).optional(),
});

export interface FunctionConfig {
  secretsManagerEndpoint: string | undefined;
  secretArn: string | undefined;
  strategy: StrategyChoice;
  passwordSource: 'local' | 'secrets-manager';
  deadlineMarginMs: number | undefined;
  engine: Omit<ElastiCacheEngineOptions, 'client'>;
}

/** Empty variables count as unset, as they do in the Lambda console. */
function present(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(environmentSchema.shape)) {
    const value = env[key];
    if (value !== undefined && (value !== '' || key === 'EXCLUDE_CHARACTERS')) result[key] = value;
  }
  return result;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  const e = parseEnvironment(environmentSchema, present(env), 'ElastiCache');
  const strategy = e.ROTOR_STRATEGY ?? 'auto';
  const engine: FunctionConfig['engine'] = {
    ...(e.SECRET_ARN !== undefined ? { secretArn: e.SECRET_ARN } : {}),
    ...(e.USER_NAME !== undefined ? { userName: e.USER_NAME } : {}),
    // USER_NAME's alternate (`<name>-clone`) is the same function's other user under alternating users.
    acceptAlternateUserName: strategy === 'alternating-users' || strategy === 'auto',
    ...(e.EXCLUDE_CHARACTERS !== undefined ? { excludeCharacters: e.EXCLUDE_CHARACTERS } : {}),
    ...(e.PASSWORD_LENGTH !== undefined ? { passwordLength: e.PASSWORD_LENGTH } : {}),
    ...(e.MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS !== undefined
      ? { maxWaitingTimeMs: Math.round(e.MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS * 1000) }
      : {}),
    ...(e.WAITING_RETRY_INTERVAL_IN_SECONDS !== undefined
      ? { retryIntervalMs: Math.max(1, Math.round(e.WAITING_RETRY_INTERVAL_IN_SECONDS * 1000)) }
      : {}),
    ...(e.ROTOR_ENABLE_DISABLED_USER !== undefined
      ? { enableDisabledUser: e.ROTOR_ENABLE_DISABLED_USER }
      : {}),
    dataPlane: {
      ...(e.ROTOR_CACHE_HOST !== undefined ? { host: e.ROTOR_CACHE_HOST } : {}),
      ...(e.ROTOR_CACHE_PORT !== undefined ? { port: e.ROTOR_CACHE_PORT } : {}),
      ...(e.ROTOR_CACHE_TLS !== undefined ? { tls: e.ROTOR_CACHE_TLS } : {}),
      ...(e.ROTOR_CACHE_TLS_VERIFY !== undefined ? { rejectUnauthorized: e.ROTOR_CACHE_TLS_VERIFY } : {}),
      ...(e.ROTOR_LOGIN_TIMEOUT_MS !== undefined ? { connectTimeoutMs: e.ROTOR_LOGIN_TIMEOUT_MS } : {}),
    },
  };
  return {
    secretsManagerEndpoint: e.SECRETS_MANAGER_ENDPOINT,
    secretArn: e.SECRET_ARN,
    strategy,
    passwordSource: e.ROTOR_PASSWORD_SOURCE ?? 'local',
    deadlineMarginMs: e.ROTOR_DEADLINE_MARGIN_MS,
    engine,
  };
}
