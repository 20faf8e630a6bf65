/**
 * IAM grants as plain data: one definition per engine, used by the constructs and compared with the SAM
 * templates in `apps/*-rotation/template.yaml` by a test, so the two cannot drift apart. Values may be CDK
 * tokens (the constructs) or plain strings (the comparison test).
 */
export interface GrantStatement {
  /** The template's statement id, kept so a reader can match the two. */
  sid: string;
  actions: string[];
  resources: string[];
  /** IAM condition block (operator -> key -> value), e.g. the Data API's statement-owner condition. */
  conditions?: Record<string, Record<string, string>>;
}

/** Where ARNs are built: the stack's partition, region and account (tokens in a stack). */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

export type PasswordSource = 'local' | 'secrets-manager';

/**
 * The calls of the rotation protocol, on the rotated secret only. ListSecretVersionIds finds an abandoned
 * single-user rotation's password, the only one the user may still accept (docs/decisions/0015).
 */
export function rotateTheSecret(secretArn: string): GrantStatement {
  return {
    sid: 'RotateTheSecret',
    actions: [
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      'secretsmanager:ListSecretVersionIds',
    ],
    resources: [secretArn],
  };
}

/** Reading the admin secret named by `masterarn` (alternating users); never writing it. */
export function readTheAdminSecret(adminSecretArn: string): GrantStatement {
  return {
    sid: 'ReadTheAdminSecret',
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resources: [adminSecretArn],
  };
}

/** GetRandomPassword has no resource type: only when passwords come from Secrets Manager. */
export function generatePasswords(source: PasswordSource): GrantStatement[] {
  if (source !== 'secrets-manager') return [];
  return [{ sid: 'GeneratePasswords', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }];
}

/** The secrets' customer managed KMS keys, if any. */
export function decryptWith(sid: string, keyArns: readonly string[]): GrantStatement[] {
  if (keyArns.length === 0) return [];
  return [{ sid, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [...new Set(keyArns)] }];
}
