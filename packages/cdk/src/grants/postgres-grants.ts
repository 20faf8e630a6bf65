import {
  type ArnScope,
  decryptWith,
  type GrantStatement,
  generatePasswords,
  type PasswordSource,
  readTheAdminSecret,
  rotateTheSecret,
} from './statement.js';

/** The DB instance or cluster whose RDS-managed master secret is the admin secret. */
export type ManagedAdminDatabase = { dbInstanceIdentifier: string } | { dbClusterIdentifier: string };

export interface PostgresGrantsInput {
  scope: ArnScope;
  secretArn: string;
  /** Alternating users: the admin secret named by the secret's `masterarn`. */
  adminSecretArn?: string | undefined;
  /** The admin secret is managed by RDS for this instance or cluster: the function looks its endpoint up. */
  managedAdmin?: ManagedAdminDatabase | undefined;
  passwordSource: PasswordSource;
  kmsKeyArns: readonly string[];
}

/**
 * The PostgreSQL function's grants: the database is changed over its own protocol, so IAM covers Secrets
 * Manager (and the secrets' KMS keys), plus the one RDS lookup an RDS-managed master secret needs.
 * Mirrors apps/postgres-rotation/template.yaml.
 */
export function postgresRotationGrants(input: PostgresGrantsInput): GrantStatement[] {
  const { partition, region, account } = input.scope;
  const rdsArn = (resource: string) => `arn:${partition}:rds:${region}:${account}:${resource}`;
  const managed = input.adminSecretArn !== undefined ? input.managedAdmin : undefined;
  return [
    rotateTheSecret(input.secretArn),
    ...(input.adminSecretArn !== undefined ? [readTheAdminSecret(input.adminSecretArn)] : []),
    ...(managed && 'dbInstanceIdentifier' in managed
      ? [
          {
            sid: 'FindTheManagedAdminInstance',
            actions: ['rds:DescribeDBInstances'],
            resources: [rdsArn(`db:${managed.dbInstanceIdentifier}`)],
          },
        ]
      : []),
    ...(managed && 'dbClusterIdentifier' in managed
      ? [
          {
            sid: 'FindTheManagedAdminCluster',
            actions: ['rds:DescribeDBClusters'],
            resources: [rdsArn(`cluster:${managed.dbClusterIdentifier}`)],
          },
        ]
      : []),
    ...generatePasswords(input.passwordSource),
    ...decryptWith('DecryptTheSecrets', input.kmsKeyArns),
  ];
}
