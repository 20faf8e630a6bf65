import { randomUUID } from 'node:crypto';
import {
  type LambdaContextLike,
  ROTATION_STEPS,
  type RotationEvent,
  type RotationStep,
  silentLogger,
} from '@rotor/core';
import type { FunctionScope, StepContext } from '@rotor/core/engine';

export const TEST_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rotor/test-AbCdEf';
/** The account and region of TEST_SECRET_ARN, as a function rotating it would run in. */
export const TEST_FUNCTION_SCOPE: FunctionScope = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '123456789012',
};

/** One Secrets Manager rotation event, as the service sends it to the function. */
export function rotationEvent(
  step: RotationStep,
  fields: { secretId?: string; token?: string; rotationToken?: string } = {},
): RotationEvent {
  return {
    Step: step,
    SecretId: fields.secretId ?? TEST_SECRET_ARN,
    ClientRequestToken: fields.token ?? randomUUID(),
    ...(fields.rotationToken ? { RotationToken: fields.rotationToken } : {}),
  };
}

/** The four events of one rotation, sharing one ClientRequestToken, in the order the service sends them. */
export function rotationEvents(
  secretId: string = TEST_SECRET_ARN,
  token: string = randomUUID(),
): RotationEvent[] {
  return ROTATION_STEPS.map((step) => rotationEvent(step, { secretId, token }));
}

/** A Lambda context whose deadline is `remainingMs` from now. */
export function lambdaContext(remainingMs = 60_000): LambdaContextLike {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), awsRequestId: randomUUID() };
}

/**
 * The context core hands to engine operations, for calling an engine directly in a test.
 * Without a `signal`, nothing aborts; give an aborted or aborting signal to test deadline handling.
 */
export function stepContext(overrides: Partial<StepContext> = {}): StepContext {
  const signal = overrides.signal ?? new AbortController().signal;
  return {
    step: 'setSecret',
    secretId: TEST_SECRET_ARN,
    clientRequestToken: randomUUID(),
    logger: silentLogger,
    remainingTimeMs: () => (signal.aborted ? 0 : Number.POSITIVE_INFINITY),
    functionScope: TEST_FUNCTION_SCOPE,
    ...overrides,
    signal,
  };
}
