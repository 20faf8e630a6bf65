import { randomUUID } from 'node:crypto';
import { type LambdaContextLike, ROTATION_STEPS } from '@rotor/core';
import type { InMemorySecretsManager } from './in-memory-secrets-manager.js';

/** A rotation handler or step runner: anything that takes a rotation event. */
export type RotationFunction = (event: unknown, context?: LambdaContextLike) => Promise<unknown>;

export interface RunRotationOptions {
  token?: string;
  /** Invoke every step twice, as Secrets Manager may after a timeout: a correct function does the same work once. */
  repeatEachStep?: boolean;
  lambdaContext?: () => LambdaContextLike;
}

/**
 * Drives one rotation as RotateSecret does: an empty AWSPENDING version, the four steps in order, then
 * AWSPENDING is cleared from the new current version. Returns the ClientRequestToken.
 */
export async function runRotation(
  rotate: RotationFunction,
  secretsManager: InMemorySecretsManager,
  secretId: string,
  options: RunRotationOptions = {},
): Promise<string> {
  const token = secretsManager.startRotation(secretId, options.token ?? randomUUID());
  for (const Step of ROTATION_STEPS) {
    const event = { Step, SecretId: secretId, ClientRequestToken: token };
    await rotate(event, options.lambdaContext?.());
    if (options.repeatEachStep) await rotate(event, options.lambdaContext?.());
  }
  secretsManager.completeRotation(secretId);
  return token;
}
