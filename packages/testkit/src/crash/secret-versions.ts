import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerStore } from '@rotor/core';
import type { SecretVersionView } from './scenario.js';

/** Every version of the secret, deprecated ones included, with its value (undefined for an empty one). */
export async function readSecretVersions(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretVersionView[]> {
  const store = createSecretsManagerStore({ client });
  const versions: SecretVersionView[] = [];
  for (const { versionId, stages } of await store.listVersions!(secretId)) {
    const value = await store.getValue(secretId, { versionId });
    versions.push({
      versionId,
      stages,
      value: value ? (JSON.parse(value.secretString) as Record<string, unknown>) : undefined,
    });
  }
  return versions;
}

export const LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] as const;

export function versionWith(
  versions: readonly SecretVersionView[],
  stage: string,
): SecretVersionView | undefined {
  return versions.find((version) => version.stages.includes(stage));
}
