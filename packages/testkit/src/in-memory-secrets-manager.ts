import { randomUUID } from 'node:crypto';
import {
  generatePassword,
  type SecretDescription,
  type SecretStore,
  SecretStoreError,
  type SecretVersionValue,
  STAGE_CURRENT,
  STAGE_PENDING,
  STAGE_PREVIOUS,
} from '@rotor/core';
import type { PasswordPolicy } from '@rotor/core/engine';

export type SecretStoreOperation = keyof SecretStore;

export interface RecordedStoreCall {
  operation: SecretStoreOperation;
  secretId: string;
  /** What was asked, without secret values (a put records the token, not the SecretString). */
  detail: Record<string, unknown>;
}

interface Version {
  id: string;
  value: string | undefined;
  stages: Set<string>;
}

interface StoredSecret {
  arn: string;
  name: string;
  rotationEnabled: boolean | undefined;
  versions: Map<string, Version>;
  tags: Record<string, string>;
}

const WRITES: readonly SecretStoreOperation[] = ['putPendingValue', 'moveCurrentStage'];

/**
 * An in-memory Secrets Manager behind core's `SecretStore` port, with the service's staging-label rules
 * (one version per label, AWSPREVIOUS follows a moved AWSCURRENT, a version's value cannot change), that
 * records every call. Hand it to `createRotationHandler({ store })`.
 */
export class InMemorySecretsManager implements SecretStore {
  readonly calls: RecordedStoreCall[] = [];
  readonly #secrets = new Map<string, StoredSecret>();
  readonly region: string;
  readonly accountId: string;

  constructor(options: { region?: string; accountId?: string } = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  /** CreateSecret: the value becomes AWSCURRENT. Returns the ARN. */
  createSecret(
    name: string,
    value: unknown,
    options: { rotationEnabled?: boolean | undefined; tags?: Record<string, string> } = {},
  ): string {
    const arn = `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${randomSuffix()}`;
    const id = randomUUID();
    const secretString = typeof value === 'string' ? value : JSON.stringify(value);
    this.#secrets.set(arn, {
      arn,
      name,
      rotationEnabled: 'rotationEnabled' in options ? options.rotationEnabled : true,
      versions: new Map([[id, { id, value: secretString, stages: new Set([STAGE_CURRENT]) }]]),
      tags: options.tags ?? {},
    });
    return arn;
  }

  /** What RotateSecret does before invoking the function: an empty version labelled AWSPENDING. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    const secret = this.#find(secretId);
    secret.versions.set(token, { id: token, value: undefined, stages: new Set() });
    this.#attach(secret, STAGE_PENDING, token);
    return token;
  }

  /** What the service does once the function finished: AWSPENDING is removed from the new current version. */
  completeRotation(secretId: string): void {
    const secret = this.#find(secretId);
    for (const version of secret.versions.values()) {
      if (version.stages.has(STAGE_CURRENT)) version.stages.delete(STAGE_PENDING);
    }
  }

  /** The parsed value at a stage, or undefined. */
  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    const version = [...this.#find(secretId).versions.values()].find((v) => v.stages.has(stage));
    return version?.value === undefined ? undefined : (JSON.parse(version.value) as Record<string, unknown>);
  }

  /** Version id -> sorted labels, for versions that have labels. */
  stagesOf(secretId: string): Record<string, string[]> {
    return Object.fromEntries(
      [...this.#find(secretId).versions.values()]
        .filter((version) => version.stages.size > 0)
        .map((version) => [version.id, [...version.stages].sort()]),
    );
  }

  /** Overwrites the value at a stage, for tests that plant a malformed or stale value. */
  setRawValue(secretId: string, stage: string, secretString: string): void {
    const version = [...this.#find(secretId).versions.values()].find((v) => v.stages.has(stage));
    if (!version) throw new Error(`Secret ${secretId} has no version at ${stage}`);
    version.value = secretString;
  }

  /** The calls that changed something (PutSecretValue, UpdateSecretVersionStage). */
  writes(): RecordedStoreCall[] {
    return this.calls.filter((call) => WRITES.includes(call.operation));
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.#record('describe', secretId, {});
    const secret = this.#find(secretId);
    return {
      arn: secret.arn,
      name: secret.name,
      rotationEnabled: secret.rotationEnabled,
      versionStages: this.stagesOf(secret.arn),
      tags: { ...secret.tags },
    };
  }

  async getValue(
    secretId: string,
    selector: { versionId?: string; stage?: string },
  ): Promise<SecretVersionValue | undefined> {
    this.#record('getValue', secretId, { ...selector });
    const secret = this.#find(secretId);
    const stage = selector.stage ?? (selector.versionId ? undefined : STAGE_CURRENT);
    const version = selector.versionId
      ? secret.versions.get(selector.versionId)
      : [...secret.versions.values()].find((v) => stage !== undefined && v.stages.has(stage));
    if (version && stage && !version.stages.has(stage)) {
      throw new SecretStoreError(
        'Secrets Manager GetSecretValue failed: InvalidRequestException: You provided a VersionStage that is not associated to the provided VersionId.',
      );
    }
    if (!version || version.value === undefined) return undefined;
    return { versionId: version.id, secretString: version.value, stages: [...version.stages] };
  }

  /**
   * Core's store port: a value held without a call. Everything here is in memory, so any version's value is
   * (like a warm container's cache, decision 0091); not recorded as a call.
   */
  cachedValue(secretId: string, versionId: string): string | undefined {
    try {
      const stage = this.stagesOf(secretId)[versionId]?.[0];
      const value = stage === undefined ? undefined : this.valueAt(secretId, stage);
      return value === undefined ? undefined : JSON.stringify(value);
    } catch {
      return undefined;
    }
  }

  async putPendingValue(
    secretId: string,
    input: { token: string; secretString: string; rotationToken?: string | undefined },
  ): Promise<void> {
    this.#record('putPendingValue', secretId, { token: input.token });
    const secret = this.#find(secretId);
    const existing = secret.versions.get(input.token);
    if (existing?.value !== undefined) {
      if (existing.value === input.secretString) return;
      throw new SecretStoreError(
        `Secrets Manager PutSecretValue failed: ResourceExistsException: You can't modify an existing version ${input.token}`,
      );
    }
    const version = existing ?? { id: input.token, value: undefined, stages: new Set<string>() };
    version.value = input.secretString;
    secret.versions.set(input.token, version);
    this.#attach(secret, STAGE_PENDING, input.token);
  }

  async moveCurrentStage(
    secretId: string,
    input: { toVersionId: string; fromVersionId?: string },
  ): Promise<void> {
    this.#record('moveCurrentStage', secretId, { ...input });
    const secret = this.#find(secretId);
    const holder = [...secret.versions.values()].find((v) => v.stages.has(STAGE_CURRENT));
    if (holder && holder.id !== input.toVersionId && holder.id !== input.fromVersionId) {
      throw new SecretStoreError(
        `Secrets Manager UpdateSecretVersionStage failed: InvalidParameterException: AWSCURRENT is attached to version ${holder.id}, not ${String(input.fromVersionId)}`,
      );
    }
    this.#attach(secret, STAGE_CURRENT, input.toVersionId);
  }

  async getRandomPassword(policy: PasswordPolicy): Promise<string> {
    this.#record('getRandomPassword', '', {});
    return generatePassword(policy);
  }

  #record(operation: SecretStoreOperation, secretId: string, detail: Record<string, unknown>): void {
    this.calls.push({ operation, secretId, detail });
  }

  #find(secretId: string): StoredSecret {
    const secret = [...this.#secrets.values()].find((s) => s.arn === secretId || s.name === secretId);
    if (!secret) {
      throw new SecretStoreError(
        `Secrets Manager call failed: ResourceNotFoundException: Secrets Manager can't find the specified secret ${secretId}`,
      );
    }
    return secret;
  }

  #attach(secret: StoredSecret, stage: string, versionId: string): void {
    const target = secret.versions.get(versionId);
    if (!target) {
      throw new SecretStoreError(
        `Secrets Manager call failed: version ${versionId} of ${secret.arn} not found`,
      );
    }
    for (const version of secret.versions.values()) {
      if (version.id !== versionId && version.stages.delete(stage) && stage === STAGE_CURRENT) {
        for (const other of secret.versions.values()) other.stages.delete(STAGE_PREVIOUS);
        version.stages.add(STAGE_PREVIOUS);
      }
    }
    target.stages.add(stage);
    if (stage === STAGE_CURRENT) target.stages.delete(STAGE_PREVIOUS);
  }
}

function randomSuffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 6);
}
