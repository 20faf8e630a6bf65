import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsErrorName, classifyAwsError } from '../engine/aws-errors.js';
import type { PasswordPolicy } from '../engine/contract.js';
import { type ThrottlingRetryOptions, throttlingRetryStrategy } from '../engine/throttling-retry.js';
import { SecretStoreError } from '../errors.js';
import type {
  SecretDescription,
  SecretStore,
  SecretVersionSummary,
  SecretVersionValue,
} from './secret-store.js';
import { VersionValueCache } from './version-value-cache.js';

export interface SecretsManagerStoreOptions {
  /** A configured client; when absent one is created from `endpoint` / `region` and the default chain. */
  client?: SecretsManagerClient;
  /** Endpoint override (AWS's SECRETS_MANAGER_ENDPOINT, or a local endpoint). */
  endpoint?: string | undefined;
  region?: string | undefined;
  /**
   * Values kept by version id for the life of the store (a warm container), at most this many; 0 turns the
   * cache off. Default 64. A version's value never changes, so this is never stale (decision 0091).
   */
  versionValueCacheSize?: number;
  /** How the created client retries (decision 0095); the defaults are the SDK's backoff, until the deadline. */
  retry?: ThrottlingRetryOptions;
}

/** The default SecretStore: AWS SDK v3 Secrets Manager. */
export function createSecretsManagerStore(options: SecretsManagerStoreOptions = {}): SecretStore {
  const client =
    options.client ??
    new SecretsManagerClient({
      // PutSecretValue and UpdateSecretVersionStage share 50 requests/s per account: when many rotations
      // start at once, throttled calls are retried with jittered backoff until the step's deadline (0095).
      retryStrategy: throttlingRetryStrategy(options.retry),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
    });
  const values = new VersionValueCache(options.versionValueCacheSize ?? 64);

  return {
    async describe(secretId) {
      const output = await call('DescribeSecret', () =>
        client.send(new DescribeSecretCommand({ SecretId: secretId })),
      );
      const description: SecretDescription = {
        arn: output.ARN ?? secretId,
        name: output.Name ?? secretId,
        rotationEnabled: output.RotationEnabled,
        versionStages: output.VersionIdsToStages ?? {},
        tags: Object.fromEntries((output.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      };
      return description;
    },

    async getValue(secretId, selector) {
      // By version id alone: the value cannot have changed since it was read or written here. A stage
      // selector always asks, since labels move.
      if (selector.versionId !== undefined && selector.stage === undefined) {
        const cached = values.get(secretId, selector.versionId);
        if (cached !== undefined) {
          return { versionId: selector.versionId, secretString: cached, stages: [] };
        }
      }
      try {
        const output = await client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(selector.versionId ? { VersionId: selector.versionId } : {}),
            ...(selector.stage ? { VersionStage: selector.stage } : {}),
          }),
        );
        if (output.SecretString === undefined) {
          throw new SecretStoreError(
            `Secret ${secretId} version ${output.VersionId ?? '?'} holds binary data; Rotor needs a JSON SecretString`,
          );
        }
        const value: SecretVersionValue = {
          versionId: output.VersionId ?? selector.versionId ?? '',
          secretString: output.SecretString,
          stages: output.VersionStages ?? [],
        };
        values.set(secretId, value.versionId, value.secretString);
        return value;
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
        throw toStoreError('GetSecretValue', error);
      }
    },

    cachedValue: (secretId, versionId) => values.get(secretId, versionId),

    async putPendingValue(secretId, input) {
      await call('PutSecretValue', () =>
        client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: input.token,
            SecretString: input.secretString,
            VersionStages: ['AWSPENDING'],
            ...(input.rotationToken ? { RotationToken: input.rotationToken } : {}),
          }),
        ),
      );
      // Accepted: the version now holds exactly this value (a different one would have been refused).
      values.set(secretId, input.token, input.secretString);
    },

    async moveCurrentStage(secretId, input) {
      await call('UpdateSecretVersionStage', () =>
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: input.toVersionId,
            ...(input.fromVersionId ? { RemoveFromVersionId: input.fromVersionId } : {}),
          }),
        ),
      );
    },

    async listVersions(secretId) {
      const versions: SecretVersionSummary[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('ListSecretVersionIds', () =>
          client.send(
            new ListSecretVersionIdsCommand({
              SecretId: secretId,
              IncludeDeprecated: true,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        for (const entry of page.Versions ?? []) {
          if (!entry.VersionId) continue;
          versions.push({
            versionId: entry.VersionId,
            stages: entry.VersionStages ?? [],
            createdDate: entry.CreatedDate,
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return versions;
    },

    async getRandomPassword(policy: PasswordPolicy) {
      const output = await call('GetRandomPassword', () =>
        client.send(
          new GetRandomPasswordCommand({
            PasswordLength: policy.length,
            ExcludeCharacters: policy.excludeCharacters || undefined,
            ExcludeUppercase: policy.excludeUppercase,
            ExcludeLowercase: policy.excludeLowercase,
            ExcludeNumbers: policy.excludeNumbers,
            ExcludePunctuation: policy.excludePunctuation,
            IncludeSpace: policy.includeSpace,
            RequireEachIncludedType: policy.requireEachIncludedType,
          }),
        ),
      );
      if (!output.RandomPassword) throw new SecretStoreError('GetRandomPassword returned no password');
      return output.RandomPassword;
    },
  };
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** Secrets Manager's own messages never carry secret values, so they are safe to keep. */
function toStoreError(operation: string, error: unknown): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const { name, retryable } = classifyAwsError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new SecretStoreError(`Secrets Manager ${operation} failed: ${name}: ${message}`, {
    retryable,
    cause: error,
  });
}
