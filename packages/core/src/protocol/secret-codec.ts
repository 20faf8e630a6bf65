import type { z } from 'zod';
import type { EngineSecret } from '../engine/contract.js';
import { InvalidSecretError } from '../errors.js';

/**
 * Parses a secret string with an engine's schema. Errors name the secret version and the bad fields,
 * never their values.
 */
export function decodeSecret<TSecret extends EngineSecret>(
  secretString: string,
  schema: z.ZodType<TSecret>,
  label: string,
): TSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new InvalidSecretError(`The ${label} secret value is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidSecretError(`The ${label} secret value must be a JSON object`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || 'value';
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
      return missing ? `"${field}" is missing` : `"${field}": ${issue.message}`;
    });
    throw new InvalidSecretError(`The ${label} secret is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Parses any JSON object (the admin secret, which the engine validates itself). */
export function decodeJsonObject(secretString: string, label: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new InvalidSecretError(`The ${label} secret value is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidSecretError(`The ${label} secret value must be a JSON object`);
  }
  return json as Record<string, unknown>;
}
