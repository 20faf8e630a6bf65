import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

interface Version {
  id: string;
  value: string;
  stages: Set<string>;
}

/**
 * The slice of Secrets Manager a client reads (DescribeSecret, GetSecretValue), with AWS's stage
 * semantics, wired into aws-sdk-client-mock so the real SDK client is used without a network.
 * Tests drive rotations with `putPending` / `promote` and count calls with `calls`.
 */
export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  readonly mock = mockClient(this.client);
  private readonly secrets = new Map<string, { versions: Map<string, Version>; nextRotation?: Date }>();
  /** When set, every call fails with this error. */
  failWith: Error | undefined;

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake((input) => {
      if (this.failWith) throw this.failWith;
      const secret = this.find(input.SecretId);
      const stages: Record<string, string[]> = {};
      for (const version of secret.versions.values()) {
        if (version.stages.size > 0) stages[version.id] = [...version.stages];
      }
      return {
        Name: input.SecretId,
        VersionIdsToStages: stages,
        ...(secret.nextRotation ? { NextRotationDate: secret.nextRotation } : {}),
      };
    });
    this.mock.on(GetSecretValueCommand).callsFake((input) => {
      if (this.failWith) throw this.failWith;
      const secret = this.find(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const version = input.VersionId
        ? secret.versions.get(input.VersionId)
        : [...secret.versions.values()].find((v) => stage && v.stages.has(stage));
      if (!version || (stage && !version.stages.has(stage))) {
        throw new ResourceNotFoundException({ message: 'version not found', $metadata: {} });
      }
      return {
        Name: input.SecretId,
        VersionId: version.id,
        SecretString: version.value,
        VersionStages: [...version.stages],
      };
    });
  }

  create(secretId: string, value: Record<string, unknown> | string): string {
    const id = randomUUID();
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    this.secrets.set(secretId, {
      versions: new Map([[id, { id, value: text, stages: new Set(['AWSCURRENT']) }]]),
    });
    return id;
  }

  /** createSecret: a new AWSPENDING version. */
  putPending(secretId: string, value: Record<string, unknown>): string {
    const secret = this.find(secretId);
    for (const version of secret.versions.values()) version.stages.delete('AWSPENDING');
    const id = randomUUID();
    secret.versions.set(id, { id, value: JSON.stringify(value), stages: new Set(['AWSPENDING']) });
    return id;
  }

  /** finishSecret: AWSCURRENT moves to `versionId` (AWSPENDING stays on it, as AWS leaves it). */
  promote(secretId: string, versionId: string): void {
    const secret = this.find(secretId);
    for (const version of secret.versions.values()) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
    }
    secret.versions.get(versionId)!.stages.add('AWSCURRENT');
  }

  setNextRotation(secretId: string, date: Date | undefined): void {
    const secret = this.find(secretId);
    if (date) secret.nextRotation = date;
    else delete secret.nextRotation;
  }

  calls(command: 'DescribeSecret' | 'GetSecretValue'): number {
    return this.mock.commandCalls(
      command === 'DescribeSecret' ? DescribeSecretCommand : GetSecretValueCommand,
    ).length;
  }

  private find(secretId: string | undefined) {
    const secret = secretId ? this.secrets.get(secretId) : undefined;
    if (!secret) throw new ResourceNotFoundException({ message: 'secret not found', $metadata: {} });
    return secret;
  }
}
