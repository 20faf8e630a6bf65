/**
 * The secret store port: the handful of Secrets Manager calls the protocol makes. The default
 * adapter is the AWS SDK v3 client (`createSecretsManagerStore`); tests use fakes.
 */
import type { PasswordPolicy } from '../engine/contract.js';

export interface SecretDescription {
  arn: string;
  name: string;
  /** Undefined when DescribeSecret omits the field (tolerated, as AWS's functions should). */
  rotationEnabled: boolean | undefined;
  /** Version id -> staging labels, for versions that have at least one label. */
  versionStages: Record<string, string[]>;
  tags: Record<string, string>;
}

export interface SecretVersionValue {
  versionId: string;
  secretString: string;
  /**
   * The labels GetSecretValue reported; empty when a store answered from its cache by version id (labels
   * move, a value never does: DescribeSecret says where the labels are).
   */
  stages: string[];
}

/** One version as ListSecretVersionIds reports it (deprecated, label-less versions included). */
export interface SecretVersionSummary {
  versionId: string;
  stages: string[];
  createdDate?: Date | undefined;
}

export interface SecretStore {
  describe(secretId: string): Promise<SecretDescription>;
  /**
   * Reads one version by id and/or stage. Returns `undefined` when that version or stage does not
   * exist or has no value yet (Secrets Manager's ResourceNotFoundException). A read by version id alone
   * may be answered from a cache (a version's value never changes); a read naming a stage may not.
   */
  getValue(
    secretId: string,
    selector: { versionId?: string; stage?: string },
  ): Promise<SecretVersionValue | undefined>;
  /**
   * A version's value when the store already holds it (read or written earlier in this container), without
   * a call; undefined otherwise. Optional: stores without a cache leave it out (decision 0091).
   */
  cachedValue?(secretId: string, versionId: string): string | undefined;
  /** PutSecretValue with the token as ClientRequestToken and only the AWSPENDING stage. */
  putPendingValue(
    secretId: string,
    input: { token: string; secretString: string; rotationToken?: string | undefined },
  ): Promise<void>;
  /** UpdateSecretVersionStage: AWSCURRENT moves from one version to another (AWSPREVIOUS follows). */
  moveCurrentStage(secretId: string, input: { toVersionId: string; fromVersionId?: string }): Promise<void>;
  /** GetRandomPassword with the policy's options. */
  getRandomPassword(policy: PasswordPolicy): Promise<string>;
  /**
   * ListSecretVersionIds with IncludeDeprecated: every version, those without labels too. Optional: only the
   * recovery from an abandoned rotation uses it (decision 0015).
   */
  listVersions?(secretId: string): Promise<SecretVersionSummary[]>;
}
