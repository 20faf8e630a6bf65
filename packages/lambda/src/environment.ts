/**
 * Environment parsing shared by Rotor's rotation Lambdas. Lambda passes every variable as a string and the
 * console leaves empty ones behind, so an empty value counts as unset; anything invalid is refused once, at
 * cold start, with one message naming every bad variable.
 */
import {
  createSecretsManagerStore,
  InvalidConfigurationError,
  type RotationHandlerOptions,
  type StrategyChoice,
} from '@rotor/core';
import type { EngineSecret } from '@rotor/core/engine';
import * as z from 'zod';

/** A trimmed string; empty means unset. */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** A comma-separated list (entries trimmed, empty entries dropped), or unset when it holds none. */
export const optionalList = optionalText.transform((value) => {
  const entries = value
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries?.length ? entries : undefined;
});

/** A whole number between `min` and `max`, or unset. */
export const optionalInteger = (min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().min(min).max(max))
      .optional(),
  );

/** true/false, 1/0, yes/no, y/n (any case), or unset. */
export const optionalBoolean = optionalText.pipe(
  z
    .string()
    .toLowerCase()
    .refine((value) => ['true', 'false', '1', '0', 'yes', 'no', 'y', 'n'].includes(value), {
      message: 'must be true or false',
    })
    .transform((value) => ['true', '1', 'yes', 'y'].includes(value))
    .optional(),
);

/**
 * The variables every Rotor rotation function reads: SECRETS_MANAGER_ENDPOINT (as AWS's functions do)
 * and Rotor's ROTOR_STRATEGY, ROTOR_PASSWORD_SOURCE, ROTOR_DEADLINE_MARGIN_MS and ROTOR_LOGIN_TEST.
 */
export function rotationEnvironmentShape<
  const TStrategies extends readonly [StrategyChoice, ...StrategyChoice[]],
>(strategies: TStrategies) {
  return {
    SECRETS_MANAGER_ENDPOINT: optionalText.pipe(z.url().optional()),
    ROTOR_STRATEGY: optionalText.pipe(z.enum(strategies).default(strategies[0])),
    ROTOR_PASSWORD_SOURCE: optionalText.pipe(z.enum(['local', 'secrets-manager']).default('local')),
    ROTOR_DEADLINE_MARGIN_MS: optionalInteger(0, 120_000),
    ROTOR_LOGIN_TEST: optionalText.pipe(z.enum(['required', 'off']).default('required')),
  };
}

/** What every function's configuration carries for core's handler. */
export interface RotationFunctionSettings<TStrategy extends StrategyChoice = StrategyChoice> {
  secretsManagerEndpoint: string | undefined;
  strategy: TStrategy;
  passwordSource: 'local' | 'secrets-manager';
  deadlineMarginMs: number | undefined;
  /** ROTOR_LOGIN_TEST: `off` accepts rotations testSecret cannot log in for, with a warning each time. */
  loginTest: 'required' | 'off';
}

/** Picks the shared settings out of a parsed environment built on {@link rotationEnvironmentShape}. */
export function rotationSettings<TStrategy extends StrategyChoice>(parsed: {
  SECRETS_MANAGER_ENDPOINT?: string | undefined;
  ROTOR_STRATEGY: TStrategy;
  ROTOR_PASSWORD_SOURCE: 'local' | 'secrets-manager';
  ROTOR_DEADLINE_MARGIN_MS?: number | undefined;
  ROTOR_LOGIN_TEST: 'required' | 'off';
}): RotationFunctionSettings<TStrategy> {
  return {
    secretsManagerEndpoint: parsed.SECRETS_MANAGER_ENDPOINT,
    strategy: parsed.ROTOR_STRATEGY,
    passwordSource: parsed.ROTOR_PASSWORD_SOURCE,
    deadlineMarginMs: parsed.ROTOR_DEADLINE_MARGIN_MS,
    loginTest: parsed.ROTOR_LOGIN_TEST,
  };
}

/**
 * Core's handler options from the shared settings; the app adds its engine. SECRETS_MANAGER_ENDPOINT wins
 * as in AWS's functions; otherwise the SDK resolves the endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL, then the regional one).
 */
export function rotationHandlerOptions<TSecret extends EngineSecret>(
  settings: RotationFunctionSettings,
): Omit<RotationHandlerOptions<TSecret>, 'engine'> {
  return {
    strategy: settings.strategy,
    store: createSecretsManagerStore({ endpoint: settings.secretsManagerEndpoint }),
    passwordSource: settings.passwordSource,
    loginTest: settings.loginTest,
    ...(settings.deadlineMarginMs !== undefined ? { deadlineMarginMs: settings.deadlineMarginMs } : {}),
  };
}

/**
 * Validates `env` against `schema`, or throws one InvalidConfigurationError naming every bad variable
 * (never its value: some variables hold endpoints with credentials).
 */
export function parseEnvironment<TSchema extends z.ZodType>(
  schema: TSchema,
  env: Record<string, string | undefined>,
  functionName: string,
): z.output<TSchema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  // zod's messages and paths only: an issue never quotes the input.
  throw new InvalidConfigurationError(
    `Invalid environment for the ${functionName} rotation function:\n${z.prettifyError(parsed.error)}`,
  );
}
