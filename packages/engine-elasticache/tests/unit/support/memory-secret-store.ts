import type { SecretDescription, SecretStore } from '@rotor/core';

interface Version {
  value: string | undefined;
  stages: Set<string>;
}

/** One secret in memory with Secrets Manager's stage rules; records every write. */
export class MemorySecretStore implements SecretStore {
  readonly arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/ec/user1-eaFois';
  readonly versions = new Map<string, Version>();
  readonly writes: string[] = [];

  constructor(initialValue: Record<string, unknown>) {
    this.versions.set('v0', { value: JSON.stringify(initialValue), stages: new Set(['AWSCURRENT']) });
  }

  /** What RotateSecret does first: an empty AWSPENDING version. */
  startRotation(token: string): void {
    for (const version of this.versions.values()) version.stages.delete('AWSPENDING');
    this.versions.set(token, { value: undefined, stages: new Set(['AWSPENDING']) });
  }

  valueAt(stage: string): Record<string, unknown> | undefined {
    for (const version of this.versions.values()) {
      if (version.stages.has(stage) && version.value !== undefined) return JSON.parse(version.value);
    }
    return undefined;
  }

  pendingValue(token: string): Record<string, unknown> | undefined {
    const value = this.versions.get(token)?.value;
    return value === undefined ? undefined : JSON.parse(value);
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.check(secretId);
    const versionStages: Record<string, string[]> = {};
    for (const [id, version] of this.versions)
      if (version.stages.size > 0) versionStages[id] = [...version.stages];
    return { arn: this.arn, name: 'production/ec/user1', rotationEnabled: true, versionStages, tags: {} };
  }

  async getValue(secretId: string, selector: { versionId?: string; stage?: string }) {
    this.check(secretId);
    let entry: [string, Version] | undefined;
    if (selector.versionId) {
      const version = this.versions.get(selector.versionId);
      if (version) entry = [selector.versionId, version];
    } else {
      entry = [...this.versions].find(([, version]) => version.stages.has(selector.stage ?? 'AWSCURRENT'));
    }
    if (!entry || entry[1].value === undefined) return undefined;
    if (selector.stage && !entry[1].stages.has(selector.stage)) throw new Error('stage mismatch');
    return { versionId: entry[0], secretString: entry[1].value, stages: [...entry[1].stages] };
  }

  async putPendingValue(secretId: string, input: { token: string; secretString: string }) {
    this.check(secretId);
    const version = this.versions.get(input.token);
    if (!version) throw new Error(`no version ${input.token}`);
    if (version.value !== undefined && version.value !== input.secretString)
      throw new Error('ResourceExists');
    version.value = input.secretString;
    this.writes.push(`put ${input.token}`);
  }

  async moveCurrentStage(secretId: string, input: { toVersionId: string; fromVersionId?: string }) {
    this.check(secretId);
    for (const version of this.versions.values()) version.stages.delete('AWSPREVIOUS');
    if (input.fromVersionId) {
      const from = this.versions.get(input.fromVersionId)!;
      from.stages.delete('AWSCURRENT');
      from.stages.add('AWSPREVIOUS');
    }
    const to = this.versions.get(input.toVersionId)!;
    to.stages.add('AWSCURRENT');
    to.stages.delete('AWSPENDING');
    this.writes.push(`move ${input.toVersionId}`);
  }

  async getRandomPassword(): Promise<string> {
    throw new Error('not used: passwords are generated locally');
  }

  private check(secretId: string) {
    if (secretId !== this.arn) throw new Error(`unexpected secret id ${secretId}`);
  }
}
