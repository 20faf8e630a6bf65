import { RotationError } from '@rotor/core';

/** The RotationError `promise` rejects with; anything else (a fulfilment, another error) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<RotationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!RotationError.isInstance(error)) throw new Error(`expected a RotationError, got ${String(error)}`);
  return error;
}
