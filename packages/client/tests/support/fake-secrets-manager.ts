import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

interface Version {
  id: string;
  /** Undefined for the empty AWSPENDING version RotateSecret creates. */
  value: string | undefined;
  stages: Set<string>;
}

interface Secret {
  arn: string;
  name: string;
  versions: Map<string, Version>;
  nextRotation: Date | undefined;
}

/**
 * An in-memory Secrets Manager with AWS's stage semantics (one version per label, AWSPREVIOUS follows
 * AWSCURRENT, PutSecretValue idempotent by token, the empty AWSPENDING version of RotateSecret), wired
 * into aws-sdk-client-mock so the real SDK client is used without a network. Enough for @rotor/core's
 * rotation handler and for the client's cache. Tests also drive rotations by hand (`putPending`, `promote`).
 */
export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  readonly mock = mockClient(this.client);
  private readonly secrets = new Map<string, Secret>();
  /** When set, every call fails with this error. */
  failWith: Error | undefined;

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake((input) => {
      this.maybeFail();
      const secret = this.find(input.SecretId);
      const stages: Record<string, string[]> = {};
      for (const version of secret.versions.values()) {
        if (version.stages.size > 0) stages[version.id] = [...version.stages];
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        RotationEnabled: true,
        VersionIdsToStages: stages,
        ...(secret.nextRotation ? { NextRotationDate: secret.nextRotation } : {}),
      };
    });
    this.mock.on(GetSecretValueCommand).callsFake((input) => {
      this.maybeFail();
      const secret = this.find(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const version = input.VersionId
        ? secret.versions.get(input.VersionId)
        : [...secret.versions.values()].find((v) => stage && v.stages.has(stage));
      if (version && stage && !version.stages.has(stage)) {
        throw new InvalidRequestException({
          $metadata: {},
          message: 'You provided a VersionStage that is not associated to the provided VersionId.',
        });
      }
      if (!version || version.value === undefined) {
        throw new ResourceNotFoundException({
          $metadata: {},
          message: "Secrets Manager can't find the specified secret value.",
        });
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        SecretString: version.value,
        VersionStages: [...version.stages],
      };
    });
    this.mock.on(PutSecretValueCommand).callsFake((input) => {
      this.maybeFail();
      const secret = this.find(input.SecretId);
      const token = input.ClientRequestToken ?? randomUUID();
      const existing = secret.versions.get(token);
      if (existing?.value !== undefined) {
        if (existing.value === input.SecretString)
          return { ARN: secret.arn, Name: secret.name, VersionId: token };
        throw new InvalidRequestException({
          $metadata: {},
          message: `You can't modify an existing version ${token}`,
        });
      }
      const version = existing ?? { id: token, value: undefined, stages: new Set<string>() };
      version.value = input.SecretString;
      secret.versions.set(token, version);
      for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.attach(secret, stage, token);
      return { ARN: secret.arn, Name: secret.name, VersionId: token };
    });
    this.mock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
      this.maybeFail();
      const secret = this.find(input.SecretId);
      const stage = input.VersionStage!;
      const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
      if (holder && holder.id !== input.MoveToVersionId && holder.id !== input.RemoveFromVersionId) {
        throw new InvalidParameterException({
          $metadata: {},
          message: `Staging label ${stage} is attached to version ${holder.id}; RemoveFromVersionId is required`,
        });
      }
      if (input.MoveToVersionId) this.attach(secret, stage, input.MoveToVersionId);
      else holder?.stages.delete(stage);
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  /** Creates a secret; returns its ARN (lookups work by ARN or name). */
  create(name: string, value: Record<string, unknown> | string): string {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const id = randomUUID();
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    this.secrets.set(arn, {
      arn,
      name,
      versions: new Map([[id, { id, value: text, stages: new Set(['AWSCURRENT']) }]]),
      nextRotation: undefined,
    });
    return id;
  }

  /** What RotateSecret does before invoking the function: an empty AWSPENDING version. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    const secret = this.find(secretId);
    secret.versions.set(token, { id: token, value: undefined, stages: new Set() });
    this.attach(secret, 'AWSPENDING', token);
    return token;
  }

  /** createSecret by hand: a new AWSPENDING version holding `value`. */
  putPending(secretId: string, value: Record<string, unknown>): string {
    const token = this.startRotation(secretId);
    this.find(secretId).versions.get(token)!.value = JSON.stringify(value);
    return token;
  }

  /** finishSecret by hand: AWSCURRENT moves to `versionId` (AWSPENDING stays on it, as AWS leaves it). */
  promote(secretId: string, versionId: string): void {
    this.attach(this.find(secretId), 'AWSCURRENT', versionId);
  }

  arnOf(secretId: string): string {
    return this.find(secretId).arn;
  }

  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    const version = [...this.find(secretId).versions.values()].find((v) => v.stages.has(stage));
    return version?.value === undefined ? undefined : (JSON.parse(version.value) as Record<string, unknown>);
  }

  setNextRotation(secretId: string, date: Date | undefined): void {
    this.find(secretId).nextRotation = date;
  }

  calls(command: 'DescribeSecret' | 'GetSecretValue'): number {
    return this.mock.commandCalls(
      command === 'DescribeSecret' ? DescribeSecretCommand : GetSecretValueCommand,
    ).length;
  }

  private maybeFail(): void {
    if (this.failWith) throw this.failWith;
  }

  private find(secretId: string | undefined): Secret {
    const secret = [...this.secrets.values()].find((s) => s.arn === secretId || s.name === secretId);
    if (!secret) {
      throw new ResourceNotFoundException({
        $metadata: {},
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    return secret;
  }

  private attach(secret: Secret, stage: string, versionId: string): void {
    const target = secret.versions.get(versionId);
    if (!target)
      throw new InvalidParameterException({ $metadata: {}, message: `Version ${versionId} not found` });
    for (const version of secret.versions.values()) {
      if (version.id !== versionId && version.stages.delete(stage) && stage === 'AWSCURRENT') {
        for (const other of secret.versions.values()) other.stages.delete('AWSPREVIOUS');
        version.stages.add('AWSPREVIOUS');
      }
    }
    target.stages.add(stage);
    if (stage === 'AWSCURRENT') target.stages.delete('AWSPREVIOUS');
  }
}
