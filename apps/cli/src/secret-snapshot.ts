import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import type { SecretSnapshot, SecretVersionInfo } from './secret-status.js';

/**
 * Reads what `status` and `doctor` need about a secret: DescribeSecret, plus ListSecretVersionIds for each
 * version's creation date (how long a pending rotation has been waiting). Reads no secret value.
 */
export async function readSecretSnapshot(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretSnapshot> {
  const description = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const listed = await listVersions(client, secretId);
  const byId = new Map<string, SecretVersionInfo>();
  for (const [versionId, stages] of Object.entries(description.VersionIdsToStages ?? {})) {
    byId.set(versionId, { versionId, stages: [...stages] });
  }
  for (const entry of listed) {
    if (!entry.VersionId) continue;
    const known = byId.get(entry.VersionId);
    const stages = entry.VersionStages ?? known?.stages ?? [];
    if (stages.length === 0) continue;
    byId.set(entry.VersionId, {
      versionId: entry.VersionId,
      stages: [...stages],
      createdDate: entry.CreatedDate,
      lastAccessedDate: entry.LastAccessedDate,
    });
  }
  return {
    arn: description.ARN ?? secretId,
    name: description.Name ?? secretId,
    rotationEnabled: description.RotationEnabled,
    rotationLambdaArn: description.RotationLambdaARN,
    rotationRules: description.RotationRules
      ? {
          automaticallyAfterDays: description.RotationRules.AutomaticallyAfterDays,
          scheduleExpression: description.RotationRules.ScheduleExpression,
          duration: description.RotationRules.Duration,
        }
      : undefined,
    lastRotatedDate: description.LastRotatedDate,
    lastChangedDate: description.LastChangedDate,
    nextRotationDate: description.NextRotationDate,
    versions: [...byId.values()].sort(
      (a, b) => (b.createdDate?.getTime() ?? 0) - (a.createdDate?.getTime() ?? 0),
    ),
  };
}

async function listVersions(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretVersionsListEntry[]> {
  const entries: SecretVersionsListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: secretId, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    entries.push(...(page.Versions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return entries;
}
