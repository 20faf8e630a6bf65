import type { SecretDescription, SecretStore, SecretVersionSummary } from '@rotor/core';
import { InMemorySecretsManager } from '@rotor/testkit';

/**
 * One secret in testkit's in-memory Secrets Manager (Rotor's one stage model, decision 0110), with this
 * package's shorthands: no secret id to pass, the live versions by id, the writes as text.
 */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new InMemorySecretsManager();
  readonly arn: string;

  constructor(initialValue: Record<string, unknown>) {
    this.arn = this.secrets.createSecret('production/ec/user1', initialValue);
  }

  /** What RotateSecret does first: an empty AWSPENDING version. */
  startRotation(token: string): void {
    this.secrets.startRotation(this.arn, token);
  }

  valueAt(stage: string): Record<string, unknown> | undefined {
    return this.secrets.valueAt(this.arn, stage);
  }

  /** The value of version `token`, or undefined while it is RotateSecret's empty placeholder. */
  pendingValue(token: string): Record<string, unknown> | undefined {
    const value = this.versions.get(token)?.value;
    return value === undefined ? undefined : (JSON.parse(value) as Record<string, unknown>);
  }

  /** The live versions by id (tests plant values in them). */
  get versions(): Map<string, { value: string | undefined; stages: string[] }> {
    return new Map(this.secrets.model.find(this.arn).versions.map((version) => [version.id, version]));
  }

  /** `put <token>` / `move <version>` for every write, in order. */
  get writes(): string[] {
    return this.secrets
      .writes()
      .map((call) =>
        call.operation === 'putPendingValue' ? `put ${call.detail.token}` : `move ${call.detail.toVersionId}`,
      );
  }

  describe(secretId: string): Promise<SecretDescription> {
    return this.secrets.describe(this.check(secretId));
  }

  getValue(secretId: string, selector: { versionId?: string; stage?: string }) {
    return this.secrets.getValue(this.check(secretId), selector);
  }

  cachedValue(secretId: string, versionId: string): string | undefined {
    return this.secrets.cachedValue(this.check(secretId), versionId);
  }

  putPendingValue(secretId: string, input: { token: string; secretString: string }) {
    return this.secrets.putPendingValue(this.check(secretId), input);
  }

  moveCurrentStage(secretId: string, input: { toVersionId: string; fromVersionId?: string }) {
    return this.secrets.moveCurrentStage(this.check(secretId), input);
  }

  listVersions(secretId: string): Promise<SecretVersionSummary[]> {
    return this.secrets.listVersions(this.check(secretId));
  }

  async getRandomPassword(): Promise<string> {
    throw new Error('not used: passwords are generated locally');
  }

  private check(secretId: string): string {
    if (secretId !== this.arn) throw new Error(`unexpected secret id ${secretId}`);
    return secretId;
  }
}
