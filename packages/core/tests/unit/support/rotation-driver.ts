import { randomUUID } from 'node:crypto';
import type { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import type { RotationHandler } from '../../../src/handler.ts';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** Drives one rotation as Secrets Manager's RotateSecret does: empty AWSPENDING version, then the four steps. */
export async function rotate(
  handler: RotationHandler,
  sm: MockSecretsManager,
  secretId: string,
  token = randomUUID(),
) {
  sm.startRotation(secretId, token);
  for (const Step of STEPS) await handler({ Step, SecretId: secretId, ClientRequestToken: token });
  return token;
}

/** A logger that records every line and argument as text. */
export function capturingLogger() {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...extra: unknown[]) =>
      lines.push(`${level} ${message} ${extra.map((item) => JSON.stringify(item)).join(' ')}`);
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  };
}
