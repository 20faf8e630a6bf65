import { randomUUID } from 'node:crypto';
import type { SecretStore } from '@rotor/core';

interface Version {
  id: string;
  value: string | undefined;
  stages: Set<string>;
}

interface StoredSecret {
  arn: string;
  versions: Version[];
  tags: Record<string, string>;
}

/**
 * Secrets Manager's version and label rules, in memory, for engine integration tests that drive core's
 * protocol directly (the app's end-to-end tests use the local AWS endpoint instead).
 */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  /** Every PutSecretValue, for "nothing was written" assertions. */
  readonly puts: string[] = [];

  create(name: string, value: Record<string, unknown>, tags: Record<string, string> = {}): string {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(arn, {
      arn,
      tags,
      versions: [{ id: randomUUID(), value: JSON.stringify(value), stages: new Set(['AWSCURRENT']) }],
    });
    return arn;
  }

  /** What RotateSecret does before invoking the function: an AWSPENDING version without a value. */
  startRotation(arn: string, token: string): void {
    const secret = this.get(arn);
    for (const version of secret.versions) version.stages.delete('AWSPENDING');
    secret.versions.push({ id: token, value: undefined, stages: new Set(['AWSPENDING']) });
  }

  current(arn: string): Record<string, unknown> {
    const version = this.get(arn).versions.find((v) => v.stages.has('AWSCURRENT'))!;
    return JSON.parse(version.value!) as Record<string, unknown>;
  }

  private get(id: string): StoredSecret {
    const secret = this.secrets.get(id);
    if (!secret) throw Object.assign(new Error(`no secret ${id}`), { name: 'ResourceNotFoundException' });
    return secret;
  }

  async describe(secretId: string) {
    const secret = this.get(secretId);
    return {
      arn: secret.arn,
      name: secret.arn,
      rotationEnabled: true,
      versionStages: Object.fromEntries(
        secret.versions.filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]]),
      ),
      tags: secret.tags,
    };
  }

  async getValue(secretId: string, selector: { versionId?: string; stage?: string }) {
    const version = this.get(secretId).versions.find(
      (v) =>
        (selector.versionId === undefined || v.id === selector.versionId) &&
        (selector.stage === undefined || v.stages.has(selector.stage)),
    );
    if (!version || version.value === undefined) return undefined;
    return { versionId: version.id, secretString: version.value, stages: [...version.stages] };
  }

  async putPendingValue(secretId: string, input: { token: string; secretString: string }) {
    const version = this.get(secretId).versions.find((v) => v.id === input.token);
    if (!version) throw new Error(`no version ${input.token}`);
    if (version.value !== undefined && version.value !== input.secretString)
      throw new Error('ResourceExists');
    version.value = input.secretString;
    this.puts.push(input.token);
  }

  async moveCurrentStage(secretId: string, input: { toVersionId: string; fromVersionId?: string }) {
    const secret = this.get(secretId);
    for (const version of secret.versions) version.stages.delete('AWSPREVIOUS');
    const from = secret.versions.find((v) => v.id === input.fromVersionId);
    if (from) {
      from.stages.delete('AWSCURRENT');
      from.stages.add('AWSPREVIOUS');
    }
    secret.versions.find((v) => v.id === input.toVersionId)!.stages.add('AWSCURRENT');
  }

  async getRandomPassword(): Promise<string> {
    throw new Error('not used: passwords are generated locally');
  }
}
