import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { type CreateSecretOptions, SecretsManagerModel, StageModelError } from './stage-model.js';

/** The Secrets Manager operations the mock answers (the ones Rotor calls, plus CreateSecret). */
export type MockedOperation =
  | 'CreateSecret'
  | 'DescribeSecret'
  | 'GetSecretValue'
  | 'PutSecretValue'
  | 'UpdateSecretVersionStage'
  | 'ListSecretVersionIds'
  | 'GetRandomPassword';

const COMMANDS = {
  CreateSecret: CreateSecretCommand,
  DescribeSecret: DescribeSecretCommand,
  GetSecretValue: GetSecretValueCommand,
  PutSecretValue: PutSecretValueCommand,
  UpdateSecretVersionStage: UpdateSecretVersionStageCommand,
  ListSecretVersionIds: ListSecretVersionIdsCommand,
  GetRandomPassword: GetRandomPasswordCommand,
} as const;

const WRITES: readonly MockedOperation[] = ['PutSecretValue', 'UpdateSecretVersionStage'];

type ExceptionClass = new (options: { $metadata: object; message: string }) => SecretsManagerServiceException;

const EXCEPTIONS: Record<string, ExceptionClass> = {
  ResourceNotFoundException,
  ResourceExistsException,
  InvalidRequestException,
  InvalidParameterException,
  InvalidNextTokenException,
};

export interface MockSecretsManagerOptions {
  /** The client to mock; default a new one in us-east-1 with dummy credentials. */
  client?: SecretsManagerClient;
  /** The model to serve; default a new empty one. */
  model?: SecretsManagerModel;
}

/**
 * The real AWS SDK v3 `SecretsManagerClient`, answered by the stage model through aws-sdk-client-mock: code
 * under test sends its ordinary commands (and parses real SDK exceptions), without a network.
 *
 * @example
 * ```ts snippet-skip
 * const sm = mockSecretsManager();
 * const arn = sm.createSecret('app/db', { username: 'app', password: 'old' });
 * const token = sm.startRotation(arn);
 * await handler(rotationEvent('createSecret', arn, token), context, { client: sm.client });
 * expect(sm.stagesOf(arn)[token]).toEqual(['AWSPENDING']);
 * ```
 */
export class MockSecretsManager {
  readonly client: SecretsManagerClient;
  readonly mock: AwsClientStub<SecretsManagerClient>;
  readonly model: SecretsManagerModel;
  /** When set, every call fails with this error (an outage, a throttle). */
  failWith: Error | undefined;
  /** GetRandomPassword's answer; unset, the call returns no password (as a broken service would). */
  randomPassword: string | undefined;

  constructor(options: MockSecretsManagerOptions = {}) {
    this.client =
      options.client ??
      new SecretsManagerClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
    this.model = options.model ?? new SecretsManagerModel();
    this.mock = mockClient(this.client);
    const serve = <I, O>(answer: (input: I) => O) => {
      return (input: I): O => {
        if (this.failWith) throw this.failWith;
        try {
          return answer(input);
        } catch (error) {
          throw toSdkException(error);
        }
      };
    };
    const model = this.model;
    this.mock.on(CreateSecretCommand).callsFake(
      serve((input: { Name?: string; SecretString?: string }) => {
        const arn = model.createSecret(input.Name ?? '', input.SecretString ?? '');
        return { ARN: arn, Name: input.Name, VersionId: model.versionIdAt(arn, 'AWSCURRENT') };
      }),
    );
    this.mock.on(DescribeSecretCommand).callsFake(serve((input) => model.describeSecret(input)));
    this.mock.on(GetSecretValueCommand).callsFake(serve((input) => model.getSecretValue(input)));
    this.mock.on(PutSecretValueCommand).callsFake(serve((input) => model.putSecretValue(input)));
    this.mock
      .on(UpdateSecretVersionStageCommand)
      .callsFake(serve((input) => model.updateSecretVersionStage(input)));
    this.mock.on(ListSecretVersionIdsCommand).callsFake(serve((input) => model.listSecretVersionIds(input)));
    this.mock
      .on(GetRandomPasswordCommand)
      .callsFake(
        serve(() => (this.randomPassword === undefined ? {} : { RandomPassword: this.randomPassword })),
      );
  }

  /** See `SecretsManagerModel.createSecret`. Returns the ARN. */
  createSecret(name: string, value: unknown, options?: CreateSecretOptions): string {
    return this.model.createSecret(name, value, options);
  }

  /** RotateSecret's empty AWSPENDING version. Returns the token. */
  startRotation(secretId: string, token?: string): string {
    return this.model.startRotation(secretId, token);
  }

  /** createSecret by hand: a new AWSPENDING version holding `value`. Returns its token. */
  putPending(secretId: string, value: unknown): string {
    const token = this.model.startRotation(secretId);
    this.model.putSecretValue({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: typeof value === 'string' ? value : JSON.stringify(value),
      VersionStages: ['AWSPENDING'],
    });
    return token;
  }

  /** finishSecret by hand: AWSCURRENT moves to `versionId` (AWSPENDING stays on it, as AWS leaves it). */
  promote(secretId: string, versionId: string): void {
    this.model.updateSecretVersionStage({
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: versionId,
      RemoveFromVersionId: this.model.versionIdAt(secretId, 'AWSCURRENT'),
    });
  }

  arnOf(secretId: string): string {
    return this.model.arnOf(secretId);
  }

  versionIdAt(secretId: string, stage: string): string | undefined {
    return this.model.versionIdAt(secretId, stage);
  }

  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    return this.model.valueAt(secretId, stage);
  }

  stagesOf(secretId: string): Record<string, string[]> {
    return this.model.stagesOf(secretId);
  }

  setRawValue(secretId: string, stage: string, secretString: string): void {
    this.model.setRawValue(secretId, stage, secretString);
  }

  setNextRotationDate(secretId: string, date: Date | undefined): void {
    this.model.setNextRotationDate(secretId, date);
  }

  /** How many times the operation was sent. */
  calls(operation: MockedOperation): number {
    return this.mock.calls().filter((call) => operationOf(call.args[0]) === operation).length;
  }

  /** The operations that change something (PutSecretValue, UpdateSecretVersionStage), in order sent. */
  writeCalls(): MockedOperation[] {
    return this.mock
      .calls()
      .map((call) => operationOf(call.args[0]))
      .filter(
        (operation): operation is MockedOperation => operation !== undefined && WRITES.includes(operation),
      );
  }
}

/** A Secrets Manager answered by the stage model: see `MockSecretsManager`. */
export function mockSecretsManager(options: MockSecretsManagerOptions = {}): MockSecretsManager {
  return new MockSecretsManager(options);
}

function operationOf(command: unknown): MockedOperation | undefined {
  return (Object.keys(COMMANDS) as MockedOperation[]).find(
    (operation) => command instanceof COMMANDS[operation],
  );
}

/** The model's refusal as the SDK's own exception class, so code under test sees what AWS would send. */
function toSdkException(error: unknown): unknown {
  if (!(error instanceof StageModelError)) return error;
  const Exception = EXCEPTIONS[error.name];
  const metadata = { $metadata: { httpStatusCode: 400 }, message: error.message };
  if (Exception) return new Exception(metadata);
  return new SecretsManagerServiceException({ ...metadata, name: error.name, $fault: 'client' });
}
