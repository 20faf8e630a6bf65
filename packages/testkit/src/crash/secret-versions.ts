import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretVersionView } from './scenario.js';

/** Every version of the secret, deprecated ones included, with its value (undefined for an empty one). */
export async function readSecretVersions(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretVersionView[]> {
  const versions: SecretVersionView[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretVersionIdsCommand({
        SecretId: secretId,
        IncludeDeprecated: true,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const entry of page.Versions ?? []) {
      if (!entry.VersionId) continue;
      versions.push({
        versionId: entry.VersionId,
        stages: entry.VersionStages ?? [],
        value: await versionValue(client, secretId, entry.VersionId),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return versions;
}

async function versionValue(
  client: SecretsManagerClient,
  secretId: string,
  versionId: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
    return output.SecretString ? (JSON.parse(output.SecretString) as Record<string, unknown>) : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export const LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] as const;

export function versionWith(
  versions: readonly SecretVersionView[],
  stage: string,
): SecretVersionView | undefined {
  return versions.find((version) => version.stages.includes(stage));
}
