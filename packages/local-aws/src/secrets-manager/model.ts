/**
 * The emulated Secrets Manager state. Plain JSON-serialisable records, so the state file is a dump of
 * them; times are epoch milliseconds here and epoch seconds on the wire.
 */
export interface SecretVersionRecord {
  versionId: string;
  /** Absent for the empty AWSPENDING placeholder RotateSecret creates. */
  secretString?: string;
  /** Base64, as on the wire. */
  secretBinary?: string;
  /** Staging labels. A version without labels is deprecated. */
  stages: string[];
  createdDate: number;
  lastAccessedDate?: number;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** Set while the secret is scheduled for deletion: the date it will be deleted. */
  deletionDate?: number;
  /** When DeleteSecret was called. */
  deletedDate?: number;
  /** Undefined until rotation was configured once; DescribeSecret omits it then, as AWS does. */
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  lastRotatedDate?: number;
  nextRotationDate?: number;
  /** In creation order. */
  versions: SecretVersionRecord[];
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

export function hasValue(version: SecretVersionRecord): boolean {
  return version.secretString !== undefined || version.secretBinary !== undefined;
}

export function versionWithStage(secret: SecretRecord, stage: string): SecretVersionRecord | undefined {
  return secret.versions.find((version) => version.stages.includes(stage));
}

export function versionById(secret: SecretRecord, versionId: string): SecretVersionRecord | undefined {
  return secret.versions.find((version) => version.versionId === versionId);
}
