import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalAws } from '@rotor/local-aws';
import { expect } from 'vitest';

/** The real SDK client pointed at the local endpoint; no retries, so error tests stay fast. */
export function secretsManagerClient(aws: LocalAws): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
    maxAttempts: 1,
  });
}

export interface SdkError {
  name: string;
  message: string;
  fault: string | undefined;
  status: number | undefined;
}

/** The error a client saw, reduced to what callers branch on. Fails the test when the call succeeded. */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode };
  }
  expect.fail('the call succeeded but an error was expected');
}

/** A readable ClientRequestToken/VersionId of the 32 characters AWS requires at least. */
export const token = (label: string) => label.padEnd(32, '0');
