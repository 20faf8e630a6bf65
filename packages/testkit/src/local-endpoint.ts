/**
 * `@rotor/testkit/local-aws`: a local AWS endpoint for an engine's app tests, wrapping `@rotor/local-aws`.
 * Secrets Manager runs rotations by invoking the app's built bundle, as the service invokes a Lambda, so
 * a test exercises the deployable artifact through the documented workflow (CreateSecret, RotateSecret).
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerStore, type SecretStore } from '@rotor/core';
import {
  type FunctionConfig,
  type LocalAws,
  type LocalAwsOptions,
  type RegisteredFunction,
  type RotationRecord,
  startLocalAws,
} from '@rotor/local-aws';

export interface LocalEndpoint {
  readonly aws: LocalAws;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** An SDK client configured for the endpoint. */
  readonly client: SecretsManagerClient;
  /** Core's SecretStore against the endpoint, for `createRotationHandler({ store })`. */
  readonly store: SecretStore;
  /** Environment for a process that should talk to the endpoint (AWS_ENDPOINT_URL, region, dummy credentials). */
  readonly env: Record<string, string>;
  /** Registers a built rotation function; returns its ARN. */
  registerFunction(config: FunctionConfig): RegisteredFunction;
  /** CreateSecret with a JSON value (and tags); returns the ARN. */
  createSecret(name: string, value: Record<string, unknown>, tags?: Record<string, string>): Promise<string>;
  /** RotateSecret with the function, then waits until the rotation succeeded or failed for good. */
  rotate(secretId: string, functionArn: string, options?: { timeoutMs?: number }): Promise<RotationRecord>;
  /** GetSecretValue at a stage, parsed. */
  valueAt(secretId: string, stage?: string): Promise<Record<string, unknown>>;
  /** PutSecretValue of a JSON value (an operator's or another tool's write); default stage AWSCURRENT. */
  putValue(secretId: string, value: Record<string, unknown>, stages?: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startLocalEndpoint(options: LocalAwsOptions = {}): Promise<LocalEndpoint> {
  const aws = await startLocalAws({ rotation: { maxAttempts: 1, retryDelayMs: 10 }, ...options });
  const client = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  return {
    aws,
    endpoint: aws.endpoint,
    client,
    store: createSecretsManagerStore({ client }),
    env: {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_REGION: aws.region,
      AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    },
    registerFunction: (config) => aws.registerFunction(config),
    async createSecret(name, value, tags = {}) {
      const output = await client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: JSON.stringify(value),
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return output.ARN!;
    },
    async rotate(secretId, functionArn, rotateOptions = {}) {
      await client.send(
        new RotateSecretCommand({
          SecretId: secretId,
          RotationLambdaARN: functionArn,
          RotateImmediately: true,
        }),
      );
      return aws.waitForRotation(secretId, { timeoutMs: rotateOptions.timeoutMs ?? 60_000 });
    },
    async valueAt(secretId, stage = 'AWSCURRENT') {
      const output = await client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
      );
      return JSON.parse(output.SecretString ?? '{}') as Record<string, unknown>;
    },
    async putValue(secretId, value, stages) {
      const output = await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: JSON.stringify(value),
          ...(stages ? { VersionStages: stages } : {}),
        }),
      );
      return output.VersionId!;
    },
    async stop() {
      client.destroy();
      await aws.stop();
    },
  };
}
