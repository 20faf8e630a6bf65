/**
 * The function's environment: the variables AWS's SecretsManagerElasticacheUserRotation reads (same names,
 * same meaning) plus Rotor's own `ROTOR_*` settings, the shared ones from `@rotor/lambda`. Read once, at
 * cold start; anything invalid is refused with one message naming every bad variable.
 */
import type { ElastiCacheEngineOptions } from '@rotor/engine-elasticache';
import {
  type ConnectionSecurity,
  optionalBoolean,
  optionalInteger,
  optionalList,
  optionalText,
  parseEnvironment,
  type RotationFunctionSettings,
  rotationEnvironmentShape,
  rotationSettings,
} from '@rotor/lambda';
import * as z from 'zod';

/** A number of seconds (AWS's variables accept fractions), at most `max`, or unset. */
const optionalSeconds = (max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
      .transform(Number)
      .pipe(z.number().max(max, `must be at most ${max} seconds`))
      .optional(),
  );

const environmentSchema = z
  .object({
    /** SECRETS_MANAGER_ENDPOINT and ROTOR_STRATEGY / _PASSWORD_SOURCE / _DEADLINE_MARGIN_MS / _LOGIN_TEST. */
    ...rotationEnvironmentShape(['auto', 'dual-password', 'single-user', 'alternating-users']),
    /** AWS: the one secret this function may rotate. */
    SECRET_ARN: optionalText.pipe(z.string().startsWith('arn:', 'must be a secret ARN').optional()),
    /** AWS: the one ElastiCache user this function may rotate. */
    USER_NAME: optionalText,
    /** AWS: characters left out of generated passwords (replaces the default); empty means none extra. */
    EXCLUDE_CHARACTERS: z.string().max(200).optional(),
    /** AWS: generated password length (AWS default 20; ours 32). ElastiCache accepts 16-128. */
    PASSWORD_LENGTH: optionalInteger(16, 128),
    /** AWS: longest wait for the user to be `active`, in seconds (default 600). */
    MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: optionalSeconds(900),
    /** AWS: polling interval in seconds (default 10). Rotor polls faster at first and caps at this. */
    WAITING_RETRY_INTERVAL_IN_SECONDS: optionalSeconds(900).refine(
      (value) => value === undefined || value > 0,
      'must be more than 0',
    ),
    /** Switch an `off` user on with its first passwords (the seed page creates it off). Default false. */
    ROTOR_ENABLE_DISABLED_USER: optionalBoolean,
    /**
     * The cache endpoint for the login test. Unset: the caches whose user groups hold the user, as the
     * control plane reports them. A secret's host/port may only name one of these.
     */
    ROTOR_CACHE_HOST: optionalText.pipe(z.string().max(253).optional()),
    /**
     * Comma-separated ARNs of the replication groups and serverless caches the login test may use (the
     * template's CacheArns). Set: the caches that admit the user are found among these, one call each, instead
     * of through its user groups (decision 0094). Unset: through its user groups.
     */
    ROTOR_CACHE_ARNS: optionalList,
    ROTOR_CACHE_PORT: optionalInteger(1, 65535),
    /** TLS to ROTOR_CACHE_HOST (default true: ElastiCache RBAC requires in-transit encryption). */
    ROTOR_CACHE_TLS: optionalBoolean,
    /** Verify cache certificates (default true). */
    ROTOR_CACHE_TLS_VERIFY: optionalBoolean,
    /** PEM file of CA certificates that verify the caches, instead of the system's. */
    ROTOR_CACHE_CA_FILE: optionalText,
    ROTOR_LOGIN_TIMEOUT_MS: optionalInteger(100, 60_000),
  })
  .refine((env) => env.ROTOR_CACHE_TLS !== false || env.ROTOR_CACHE_HOST !== undefined, {
    message:
      'ROTOR_CACHE_TLS=false needs ROTOR_CACHE_HOST: caches found through the control plane use TLS as their in-transit encryption says',
    path: ['ROTOR_CACHE_TLS'],
  });

export interface FunctionConfig extends RotationFunctionSettings {
  secretArn: string | undefined;
  engine: Omit<ElastiCacheEngineOptions, 'client'>;
  /** How the function's connections are protected, for the cold-start line and downgrade warnings. */
  connections: ConnectionSecurity[];
}

/** Endpoint overrides the AWS SDK honours for the APIs this function calls, most specific first. */
const API_ENDPOINT_VARIABLES = [
  'SECRETS_MANAGER_ENDPOINT',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_ELASTICACHE',
  'AWS_ENDPOINT_URL',
] as const;

/** The AWS APIs are reached over https, unless an endpoint override (a local endpoint) says http. */
function apiConnection(env: Record<string, string | undefined>): ConnectionSecurity {
  const name = 'Secrets Manager and ElastiCache APIs';
  const plain = API_ENDPOINT_VARIABLES.find((variable) =>
    env[variable]?.trim().toLowerCase().startsWith('http://'),
  );
  return plain
    ? { name, transport: 'plaintext', setting: `${plain}=http://...` }
    : { name, transport: 'verified-tls' };
}

/** The cache connection's transport, and the setting that weakened it (if any). */
function cacheConnection(env: {
  ROTOR_CACHE_HOST?: string | undefined;
  ROTOR_CACHE_TLS?: boolean | undefined;
  ROTOR_CACHE_TLS_VERIFY?: boolean | undefined;
}): ConnectionSecurity {
  const name =
    env.ROTOR_CACHE_HOST === undefined
      ? 'cache data plane (endpoints from the control plane)'
      : 'cache data plane (ROTOR_CACHE_HOST)';
  if (env.ROTOR_CACHE_TLS === false) {
    return { name, transport: 'plaintext', setting: 'ROTOR_CACHE_TLS=false' };
  }
  if (env.ROTOR_CACHE_TLS_VERIFY === false) {
    return { name, transport: 'unverified-tls', setting: 'ROTOR_CACHE_TLS_VERIFY=false' };
  }
  return { name, transport: 'verified-tls' };
}

export function readConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const e = parseEnvironment(environmentSchema, env, 'ElastiCache');
  const settings = rotationSettings(e);
  const engine: FunctionConfig['engine'] = {
    ...(e.SECRET_ARN !== undefined ? { secretArn: e.SECRET_ARN } : {}),
    ...(e.USER_NAME !== undefined ? { userName: e.USER_NAME } : {}),
    // USER_NAME's alternate (`<name>-clone`) is the same function's other user under alternating users.
    acceptAlternateUserName: settings.strategy === 'alternating-users' || settings.strategy === 'auto',
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
      ...(e.ROTOR_CACHE_CA_FILE !== undefined ? { caFile: e.ROTOR_CACHE_CA_FILE } : {}),
      ...(e.ROTOR_CACHE_ARNS !== undefined ? { caches: e.ROTOR_CACHE_ARNS } : {}),
      ...(e.ROTOR_LOGIN_TIMEOUT_MS !== undefined ? { connectTimeoutMs: e.ROTOR_LOGIN_TIMEOUT_MS } : {}),
    },
  };
  return {
    ...settings,
    secretArn: e.SECRET_ARN,
    engine,
    connections: [apiConnection(env), cacheConnection(e)],
  };
}
