import * as z from 'zod';
import { InvalidRotationEventError } from '../errors.js';
import { ROTATION_STEPS, type RotationEvent } from '../vocabulary.js';

const nonEmpty = z.string().trim().min(1);

const rotationEventSchema = z.looseObject({
  Step: z.enum(ROTATION_STEPS, { error: () => `must be one of ${ROTATION_STEPS.join(', ')}` }),
  SecretId: nonEmpty,
  ClientRequestToken: nonEmpty.max(64),
  RotationToken: nonEmpty.optional(),
});

/**
 * Validates a Lambda event as a Secrets Manager rotation event. The error names each bad field but
 * never echoes values (a RotationToken is sensitive).
 */
export function parseRotationEvent(event: unknown): RotationEvent {
  const result = rotationEventSchema.safeParse(event);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || 'event';
      return issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? `${field} is missing`
        : `${field} ${issue.message}`;
    });
    throw new InvalidRotationEventError(`Not a Secrets Manager rotation event: ${problems.join('; ')}`);
  }
  const { Step, SecretId, ClientRequestToken, RotationToken } = result.data;
  return { Step, SecretId, ClientRequestToken, ...(RotationToken ? { RotationToken } : {}) };
}
