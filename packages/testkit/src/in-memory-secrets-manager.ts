import { randomUUID } from 'node:crypto';
import {
  generatePassword,
  type SecretDescription,
  type SecretStore,
  SecretStoreError,
  type SecretVersionSummary,
  type SecretVersionValue,
  STAGE_CURRENT,
  STAGE_PENDING,
} from '@rotor/core';
import type { PasswordPolicy } from '@rotor/core/engine';
import { SecretsManagerModel, StageModelError } from './secrets-manager/stage-model.js';

export type SecretStoreOperation = keyof SecretStore;

export interface RecordedStoreCall {
  operation: SecretStoreOperation;
  secretId: string;
  /** What was asked, without secret values (a put records the token, not the SecretString). */
  detail: Record<string, unknown>;
}

const WRITES: readonly SecretStoreOperation[] = ['putPendingValue', 'moveCurrentStage'];

/**
 * An in-memory Secrets Manager behind core's `SecretStore` port, that records every call. Its staging-label
 * rules are the stage model's (`@rotor/testkit/secrets-manager`), the same the SDK mock answers with and that
 * the stage-semantics suite checks against local-aws. Hand it to `createRotationHandler({ store })`.
 */
export class InMemorySecretsManager implements SecretStore {
  readonly calls: RecordedStoreCall[] = [];
  readonly model: SecretsManagerModel;
  readonly region: string;
  readonly accountId: string;

  constructor(options: { region?: string; accountId?: string; model?: SecretsManagerModel } = {}) {
    this.model = options.model ?? new SecretsManagerModel(options);
    this.region = this.model.region;
    this.accountId = this.model.accountId;
  }

  /** CreateSecret: the value becomes AWSCURRENT. Returns the ARN. */
  createSecret(
    name: string,
    value: unknown,
    options: { rotationEnabled?: boolean | undefined; tags?: Record<string, string> } = {},
  ): string {
    return this.model.createSecret(name, value, options);
  }

  /** What RotateSecret does before invoking the function: an empty version labelled AWSPENDING. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    return this.model.startRotation(secretId, token);
  }

  /** What the service does once the function finished: AWSPENDING is removed from the new current version. */
  completeRotation(secretId: string): void {
    const current = this.model.versionIdAt(secretId, STAGE_CURRENT);
    if (current !== undefined && this.model.versionIdAt(secretId, STAGE_PENDING) === current) {
      this.model.updateSecretVersionStage({
        SecretId: secretId,
        VersionStage: STAGE_PENDING,
        RemoveFromVersionId: current,
      });
    }
  }

  /** The parsed value at a stage, or undefined. */
  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    return this.model.valueAt(secretId, stage);
  }

  /** Version id -> sorted labels, for versions that have labels. */
  stagesOf(secretId: string): Record<string, string[]> {
    return this.model.stagesOf(secretId);
  }

  /** Overwrites the value at a stage, for tests that plant a malformed or stale value. */
  setRawValue(secretId: string, stage: string, secretString: string): void {
    this.model.setRawValue(secretId, stage, secretString);
  }

  /** The calls that changed something (PutSecretValue, UpdateSecretVersionStage). */
  writes(): RecordedStoreCall[] {
    return this.calls.filter((call) => WRITES.includes(call.operation));
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.#record('describe', secretId, {});
    const output = storeCall('DescribeSecret', () => this.model.describeSecret({ SecretId: secretId }));
    return {
      arn: output.ARN,
      name: output.Name,
      rotationEnabled: output.RotationEnabled,
      versionStages: this.model.stagesOf(secretId),
      tags: Object.fromEntries(output.Tags.map((tag) => [tag.Key, tag.Value])),
    };
  }

  async getValue(
    secretId: string,
    selector: { versionId?: string; stage?: string },
  ): Promise<SecretVersionValue | undefined> {
    this.#record('getValue', secretId, { ...selector });
    try {
      const output = this.model.getSecretValue({
        SecretId: secretId,
        VersionId: selector.versionId,
        VersionStage: selector.stage,
      });
      return { versionId: output.VersionId, secretString: output.SecretString, stages: output.VersionStages };
    } catch (error) {
      if (error instanceof StageModelError && error.name === 'ResourceNotFoundException') {
        // An unknown secret is an error; a missing version or stage is "no value" (the port's contract).
        this.model.find(secretId);
        return undefined;
      }
      throw toStoreError('GetSecretValue', error);
    }
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
    storeCall('PutSecretValue', () =>
      this.model.putSecretValue({
        SecretId: secretId,
        ClientRequestToken: input.token,
        SecretString: input.secretString,
        VersionStages: [STAGE_PENDING],
      }),
    );
  }

  async moveCurrentStage(
    secretId: string,
    input: { toVersionId: string; fromVersionId?: string },
  ): Promise<void> {
    this.#record('moveCurrentStage', secretId, { ...input });
    storeCall('UpdateSecretVersionStage', () =>
      this.model.updateSecretVersionStage({
        SecretId: secretId,
        VersionStage: STAGE_CURRENT,
        MoveToVersionId: input.toVersionId,
        RemoveFromVersionId: input.fromVersionId,
      }),
    );
  }

  async listVersions(secretId: string): Promise<SecretVersionSummary[]> {
    this.#record('listVersions', secretId, {});
    const output = storeCall('ListSecretVersionIds', () =>
      this.model.listSecretVersionIds({ SecretId: secretId, IncludeDeprecated: true }),
    );
    return output.Versions.map((entry) => ({
      versionId: entry.VersionId,
      stages: entry.VersionStages ?? [],
      createdDate: entry.CreatedDate,
    }));
  }

  async getRandomPassword(policy: PasswordPolicy): Promise<string> {
    this.#record('getRandomPassword', '', {});
    return generatePassword(policy);
  }

  #record(operation: SecretStoreOperation, secretId: string, detail: Record<string, unknown>): void {
    this.calls.push({ operation, secretId, detail });
  }
}

function storeCall<T>(operation: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** The model's refusal as the adapter over the SDK reports it: `Secrets Manager <Op> failed: <Name>: ...`. */
function toStoreError(operation: string, error: unknown): unknown {
  if (!(error instanceof StageModelError)) return error;
  return new SecretStoreError(`Secrets Manager ${operation} failed: ${error.name}: ${error.message}`, {
    cause: error,
  });
}
