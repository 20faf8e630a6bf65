/**
 * The function's configuration, read from the environment once, at cold start. SECRETS_MANAGER_ENDPOINT keeps
 * its meaning from AWS's rotation functions; Rotor's own variables start with ROTOR_. Anything invalid is
 * refused with one message naming every bad variable.
 */
import { InvalidConfigurationError, type StrategyChoice } from '@rotor/core';
import type { PostgresEngineOptions } from '@rotor/engine-postgres';
import * as z from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const optionalInteger = (min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().min(min).max(max))
      .optional(),
  );

const envSchema = z.object({
  SECRETS_MANAGER_ENDPOINT: optionalText.pipe(z.url().optional()),
  /** `auto`: alternating users when the secret has `masterarn`, otherwise single-user. */
  ROTOR_STRATEGY: optionalText.pipe(z.enum(['auto', 'single-user', 'alternating-users']).default('auto')),
  ROTOR_PASSWORD_SOURCE: optionalText.pipe(z.enum(['local', 'secrets-manager']).default('local')),
  ROTOR_DEADLINE_MARGIN_MS: optionalInteger(0, 120_000),
  ROTOR_PG_TLS: optionalText.pipe(z.enum(['verify-full', 'require', 'disable']).default('verify-full')),
  /** PEM bundle in the deployment package or a layer (for RDS: AWS's global bundle). */
  ROTOR_PG_CA_FILE: optionalText,
  ROTOR_PG_CONNECT_TIMEOUT_MS: optionalInteger(100, 60_000),
  ROTOR_PG_SCRAM_ITERATIONS: optionalInteger(4_096, 1_000_000),
});

export interface FunctionConfig {
  secretsManagerEndpoint: string | undefined;
  strategy: StrategyChoice;
  passwordSource: 'local' | 'secrets-manager';
  deadlineMarginMs: number | undefined;
  engine: PostgresEngineOptions;
}

export function readConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `Invalid environment: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    secretsManagerEndpoint: e.SECRETS_MANAGER_ENDPOINT,
    strategy: e.ROTOR_STRATEGY,
    passwordSource: e.ROTOR_PASSWORD_SOURCE,
    deadlineMarginMs: e.ROTOR_DEADLINE_MARGIN_MS,
    engine: {
      tls: e.ROTOR_PG_TLS,
      ...(e.ROTOR_PG_CA_FILE ? { ca: e.ROTOR_PG_CA_FILE } : {}),
      ...(e.ROTOR_PG_CONNECT_TIMEOUT_MS ? { connectTimeoutMs: e.ROTOR_PG_CONNECT_TIMEOUT_MS } : {}),
      ...(e.ROTOR_PG_SCRAM_ITERATIONS ? { scramIterations: e.ROTOR_PG_SCRAM_ITERATIONS } : {}),
    },
  };
}
