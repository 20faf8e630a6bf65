import type { SecretRecord } from './model.js';
import { versionIdsToStages } from './stages.js';

/** Dates are kept in epoch milliseconds; the wire carries epoch seconds. */
export const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** Drops undefined members, so outputs carry only the fields AWS would send. */
export function compact(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));
}

/** The members DescribeSecret and ListSecrets' entries share. */
export function secretSummary(secret: SecretRecord, region: string): Record<string, unknown> {
  return compact({
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: secret.rotationEnabled,
    RotationLambdaARN: secret.rotationLambdaArn,
    RotationRules: secret.rotationRules,
    LastRotatedDate: seconds(secret.lastRotatedDate),
    LastChangedDate: seconds(secret.lastChangedDate),
    LastAccessedDate: seconds(secret.lastAccessedDate),
    DeletedDate: seconds(secret.deletedDate),
    NextRotationDate: secret.rotationEnabled ? seconds(secret.nextRotationDate) : undefined,
    Tags: secret.tags.length > 0 ? secret.tags : undefined,
    CreatedDate: seconds(secret.createdDate),
    PrimaryRegion: region,
  });
}

export function describeSecretOutput(secret: SecretRecord, region: string): Record<string, unknown> {
  return { ...secretSummary(secret, region), VersionIdsToStages: versionIdsToStages(secret) };
}

export function listEntryOutput(secret: SecretRecord, region: string): Record<string, unknown> {
  return { ...secretSummary(secret, region), SecretVersionsToStages: versionIdsToStages(secret) };
}
