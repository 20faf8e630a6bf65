/**
 * The function's configuration, read from the environment once, at cold start. The variables of AWS's
 * PostgreSQL rotation functions keep their meaning (SECRETS_MANAGER_ENDPOINT, EXCLUDE_CHARACTERS,
 * PASSWORD_LENGTH, EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE,
 * REQUIRE_EACH_INCLUDED_TYPE); Rotor's own start with ROTOR_. Anything invalid is refused with one message
 * naming every bad variable (AWS's functions read a word they do not know as false; Rotor refuses it).
 */
import type { PostgresEngineOptions, PostgresPasswordOptions } from '@rotor/engine-postgres';
import {
  type ConnectionSecurity,
  optionalBoolean,
  optionalInteger,
  optionalText,
  parseEnvironment,
  type RotationFunctionSettings,
  rotationEnvironmentShape,
  rotationSettings,
  tlsModeTransport,
} from '@rotor/lambda';
import * as z from 'zod';

const envSchema = z.object({
  /** ROTOR_STRATEGY `auto`: alternating users when the secret has `masterarn`, otherwise single-user. */
  ...rotationEnvironmentShape(['auto', 'single-user', 'alternating-users']),
  /**
   * `host[:port],...` (port 5432 by default): the only servers the function connects to. Required: a
   * self-managed server has no control plane, so only the configuration can say where the secret may point.
   */
  ROTOR_PG_ALLOWED_HOSTS: optionalText.pipe(
    z
      .string({ message: 'required: the host[:port] list of servers this function may connect to' })
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      ),
  ),
  ROTOR_PG_TLS: optionalText.pipe(z.enum(['verify-full', 'require', 'disable']).default('verify-full')),
  /** PEM bundle in the deployment package or a layer (for RDS: AWS's global bundle). */
  ROTOR_PG_CA_FILE: optionalText,
  ROTOR_PG_CONNECT_TIMEOUT_MS: optionalInteger(100, 60_000),
  ROTOR_PG_SCRAM_ITERATIONS: optionalInteger(4_096, 1_000_000),
  /** AWS: generated password length (default 32). */
  PASSWORD_LENGTH: optionalInteger(8, 128),
  /** AWS: characters left out of passwords; replaces the default list (empty: none). */
  EXCLUDE_CHARACTERS: z.string().max(200).optional(),
  EXCLUDE_NUMBERS: optionalBoolean,
  EXCLUDE_PUNCTUATION: optionalBoolean,
  EXCLUDE_UPPERCASE: optionalBoolean,
  EXCLUDE_LOWERCASE: optionalBoolean,
  /** AWS: one character of every class left in each password (default true). */
  REQUIRE_EACH_INCLUDED_TYPE: optionalBoolean,
});

export interface FunctionConfig extends RotationFunctionSettings {
  engine: PostgresEngineOptions;
  /** The one kind of connection the engine opens, and how it is protected. */
  connections: ConnectionSecurity[];
}

export function readConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const e = parseEnvironment(envSchema, env, 'PostgreSQL');
  const password: PostgresPasswordOptions = {
    ...(e.PASSWORD_LENGTH !== undefined ? { length: e.PASSWORD_LENGTH } : {}),
    ...(e.EXCLUDE_CHARACTERS !== undefined ? { excludeCharacters: e.EXCLUDE_CHARACTERS } : {}),
    ...(e.EXCLUDE_NUMBERS !== undefined ? { excludeNumbers: e.EXCLUDE_NUMBERS } : {}),
    ...(e.EXCLUDE_PUNCTUATION !== undefined ? { excludePunctuation: e.EXCLUDE_PUNCTUATION } : {}),
    ...(e.EXCLUDE_UPPERCASE !== undefined ? { excludeUppercase: e.EXCLUDE_UPPERCASE } : {}),
    ...(e.EXCLUDE_LOWERCASE !== undefined ? { excludeLowercase: e.EXCLUDE_LOWERCASE } : {}),
    ...(e.REQUIRE_EACH_INCLUDED_TYPE !== undefined
      ? { requireEachIncludedType: e.REQUIRE_EACH_INCLUDED_TYPE }
      : {}),
  };
  return {
    ...rotationSettings(e),
    connections: [
      {
        name: 'PostgreSQL',
        transport: tlsModeTransport(e.ROTOR_PG_TLS),
        ...(e.ROTOR_PG_TLS === 'verify-full' ? {} : { setting: `ROTOR_PG_TLS=${e.ROTOR_PG_TLS}` }),
      },
    ],
    engine: {
      allowedHosts: e.ROTOR_PG_ALLOWED_HOSTS,
      tls: e.ROTOR_PG_TLS,
      ...(e.ROTOR_PG_CA_FILE ? { ca: e.ROTOR_PG_CA_FILE } : {}),
      ...(e.ROTOR_PG_CONNECT_TIMEOUT_MS ? { connectTimeoutMs: e.ROTOR_PG_CONNECT_TIMEOUT_MS } : {}),
      ...(e.ROTOR_PG_SCRAM_ITERATIONS ? { scramIterations: e.ROTOR_PG_SCRAM_ITERATIONS } : {}),
      password,
    },
  };
}
