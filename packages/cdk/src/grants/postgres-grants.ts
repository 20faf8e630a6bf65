import {
  decryptWith,
  type GrantStatement,
  generatePasswords,
  type PasswordSource,
  readTheAdminSecret,
  rotateTheSecret,
} from './statement.js';

export interface PostgresGrantsInput {
  secretArn: string;
  /** Alternating users: the admin secret named by the secret's `masterarn`. */
  adminSecretArn?: string | undefined;
  passwordSource: PasswordSource;
  kmsKeyArns: readonly string[];
}

/**
 * The PostgreSQL function's grants: the database is changed over its own protocol, so IAM covers only
 * Secrets Manager (and the secrets' KMS keys). The PostgreSQL app has no SAM template to compare with yet.
 */
export function postgresRotationGrants(input: PostgresGrantsInput): GrantStatement[] {
  return [
    rotateTheSecret(input.secretArn),
    ...(input.adminSecretArn !== undefined ? [readTheAdminSecret(input.adminSecretArn)] : []),
    ...generatePasswords(input.passwordSource),
    ...decryptWith('DecryptTheSecrets', input.kmsKeyArns),
  ];
}
