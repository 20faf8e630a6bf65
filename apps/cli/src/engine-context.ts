/**
 * What the commands that drive an engine outside a rotation (doctor, status) share: a step context in the
 * secret's own account, and care with the secret values they read.
 */
import { RotationError, type RotorLogger, scopeOfArn } from '@rotor/core';
import type { RotationStep, StepContext } from '@rotor/core/engine';

export function cliStepContext(
  options: { logger: RotorLogger; signal?: AbortSignal | undefined },
  secretId: string,
  step: RotationStep,
): StepContext {
  return {
    step,
    secretId,
    clientRequestToken: 'rotor-cli',
    logger: options.logger,
    signal: options.signal ?? new AbortController().signal,
    remainingTimeMs: () => Number.POSITIVE_INFINITY,
    // The CLI acts as the function would for this secret: in the secret's own account and region.
    functionScope: scopeOfArn(secretId),
  };
}

/** Every password field of a secret that was read. */
export function rememberPasswords(value: Record<string, unknown>, into: Set<string>): void {
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string' && field.length > 0 && key.toLowerCase().includes('password'))
      into.add(field);
  }
}

export function scrubSecrets(text: string, secretValues: Set<string>): string {
  let result = text;
  for (const value of secretValues) {
    if (value.length > 0) result = result.split(value).join('***');
  }
  return result;
}

export function parseJsonObject(
  text: string | undefined,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (text === undefined)
    return { ok: false, reason: 'has no SecretString (binary secrets are not supported)' };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return { ok: true, value: value as Record<string, unknown> };
    }
    return { ok: false, reason: 'is JSON but not an object' };
  } catch {
    return { ok: false, reason: 'is not JSON' };
  }
}

export function describeError(error: unknown): string {
  if (RotationError.isInstance(error)) return `${error.message} (${error.code})`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
