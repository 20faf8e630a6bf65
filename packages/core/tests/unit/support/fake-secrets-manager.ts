import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

interface Version {
  id: string;
  value: string | undefined;
  stages: Set<string>;
}

interface Secret {
  arn: string;
  name: string;
  rotationEnabled: boolean | undefined;
  versions: Map<string, Version>;
  tags: Record<string, string>;
}

/**
 * A small in-memory Secrets Manager with AWS's stage semantics, wired into aws-sdk-client-mock so the
 * real SDK client (and Rotor's store adapter) is exercised without a network.
 */
export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  readonly mock = mockClient(this.client);
  readonly secrets = new Map<string, Secret>();
  randomPassword: string | undefined;

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake((input) => {
      const secret = this.find(input.SecretId);
      const versionIdsToStages: Record<string, string[]> = {};
      for (const version of secret.versions.values()) {
        if (version.stages.size > 0) versionIdsToStages[version.id] = [...version.stages];
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.rotationEnabled === undefined ? {} : { RotationEnabled: secret.rotationEnabled }),
        VersionIdsToStages: versionIdsToStages,
        Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
      };
    });
    this.mock.on(GetSecretValueCommand).callsFake((input) => {
      const secret = this.find(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      let version = input.VersionId ? secret.versions.get(input.VersionId) : undefined;
      if (!input.VersionId) version = [...secret.versions.values()].find((v) => stage && v.stages.has(stage));
      if (version && stage && !version.stages.has(stage)) {
        throw new InvalidRequestException({
          $metadata: {},
          message: 'You provided a VersionStage that is not associated to the provided VersionId.',
        });
      }
      if (!version || version.value === undefined) {
        throw new ResourceNotFoundException({
          $metadata: {},
          message:
            "Secrets Manager can't find the specified secret value for staging label: " + (stage ?? ''),
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
      const secret = this.find(input.SecretId);
      const token = input.ClientRequestToken ?? randomUUID();
      const existing = secret.versions.get(token);
      if (existing && existing.value !== undefined) {
        if (existing.value === input.SecretString)
          return { ARN: secret.arn, Name: secret.name, VersionId: token };
        throw new InvalidRequestException({
          $metadata: {},
          message: `You can't modify an existing version ${token}`,
        });
      }
      const stages = input.VersionStages ?? ['AWSCURRENT'];
      const version = existing ?? { id: token, value: undefined, stages: new Set<string>() };
      version.value = input.SecretString;
      secret.versions.set(token, version);
      for (const stage of stages) this.attach(secret, stage, token);
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: stages };
    });
    this.mock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
      const secret = this.find(input.SecretId);
      const holder = [...secret.versions.values()].find((v) => v.stages.has(input.VersionStage!));
      if (holder && holder.id !== input.MoveToVersionId && holder.id !== input.RemoveFromVersionId) {
        throw new InvalidParameterException({
          $metadata: {},
          message: `The parameter RemoveFromVersionId can't be empty. Staging label ${input.VersionStage} is currently attached to version ${holder.id}`,
        });
      }
      if (input.MoveToVersionId) this.attach(secret, input.VersionStage!, input.MoveToVersionId);
      else holder?.stages.delete(input.VersionStage!);
      return { ARN: secret.arn, Name: secret.name };
    });
    this.mock.on(GetRandomPasswordCommand).callsFake(() => ({ RandomPassword: this.randomPassword }));
    this.mock.on(ListSecretVersionIdsCommand).callsFake((input) => {
      const secret = this.find(input.SecretId);
      const versions = [...secret.versions.values()].filter(
        (v) => input.IncludeDeprecated || v.stages.size > 0,
      );
      return {
        ARN: secret.arn,
        Name: secret.name,
        // Creation order is insertion order here; dates make "newest first" checkable.
        Versions: versions.map((v, index) => ({
          VersionId: v.id,
          ...(v.stages.size > 0 ? { VersionStages: [...v.stages] } : {}),
          CreatedDate: new Date(Date.UTC(2026, 0, 1) + index * 1000),
        })),
      };
    });
  }

  createSecret(
    name: string,
    value: unknown,
    options: { rotationEnabled?: boolean | undefined; tags?: Record<string, string> } = {},
  ): string {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const id = randomUUID();
    const version: Version = { id, value: JSON.stringify(value), stages: new Set(['AWSCURRENT']) };
    this.secrets.set(arn, {
      arn,
      name,
      rotationEnabled: 'rotationEnabled' in options ? options.rotationEnabled : true,
      versions: new Map([[id, version]]),
      tags: options.tags ?? {},
    });
    return arn;
  }

  /** What RotateSecret does before invoking the function: an empty AWSPENDING version. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    const secret = this.find(secretId);
    secret.versions.set(token, { id: token, value: undefined, stages: new Set() });
    this.attach(secret, 'AWSPENDING', token);
    return token;
  }

  stagesOf(secretId: string): Record<string, string[]> {
    const secret = this.find(secretId);
    return Object.fromEntries(
      [...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages].sort()]),
    );
  }

  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    const version = [...this.find(secretId).versions.values()].find((v) => v.stages.has(stage));
    return version?.value === undefined ? undefined : (JSON.parse(version.value) as Record<string, unknown>);
  }

  /** Raw write for tests that plant malformed values. */
  setRawValue(secretId: string, stage: string, raw: string): void {
    const version = [...this.find(secretId).versions.values()].find((v) => v.stages.has(stage));
    if (!version) throw new Error(`no version at ${stage}`);
    version.value = raw;
  }

  writeCalls(): string[] {
    return this.mock
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter((name) => name === 'PutSecretValueCommand' || name === 'UpdateSecretVersionStageCommand');
  }

  find(secretId: string | undefined): Secret {
    const secret = [...this.secrets.values()].find((s) => s.arn === secretId || s.name === secretId);
    if (!secret)
      throw new ResourceNotFoundException({
        $metadata: {},
        message: "Secrets Manager can't find the specified secret.",
      });
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
