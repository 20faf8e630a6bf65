import {
  type ArnScope,
  decryptWith,
  type GrantStatement,
  generatePasswords,
  type PasswordSource,
  readTheAdminSecret,
  rotateTheSecret,
} from './statement.js';

/** A provisioned cluster by identifier, or a Serverless workgroup by name. */
export type RedshiftTarget = { clusterIdentifier: string } | { workgroupName: string };

export interface RedshiftGrantsInput {
  scope: ArnScope;
  secretArn: string;
  /** Alternating users: the admin secret named by the secret's `masterarn`. */
  adminSecretArn?: string | undefined;
  /** A Redshift-managed admin secret has no host: the pg transport looks the endpoint up. */
  adminSecretIsManaged: boolean;
  target: RedshiftTarget;
  transport: 'pg' | 'data-api';
  dataApiAuth: 'secret-arn' | 'temporary-credentials';
  /** temporary-credentials on a cluster: the database users the function may get credentials for. */
  databaseUsers: string;
  passwordSource: PasswordSource;
  kmsKeyArns: readonly string[];
}

/**
 * The Redshift function's rotation grants: Secrets Manager on the rotated secret (reading only on the admin
 * secret), and Data API, temporary-credential and endpoint-lookup calls only where the transport needs them.
 * Mirrors apps/redshift-rotation/template.yaml.
 */
export function redshiftRotationGrants(input: RedshiftGrantsInput): GrantStatement[] {
  const { partition, region, account } = input.scope;
  const redshiftArn = (resource: string) => `arn:${partition}:redshift:${region}:${account}:${resource}`;
  // Workgroup ARNs carry the workgroup id, not its name: scope to this account and region.
  const anyWorkgroup = `arn:${partition}:redshift-serverless:${region}:${account}:workgroup/*`;
  const cluster = 'clusterIdentifier' in input.target ? input.target.clusterIdentifier : undefined;
  const dataApi = input.transport === 'data-api';
  const temporaryCredentials = dataApi && input.dataApiAuth === 'temporary-credentials';
  const lookUpAdminEndpoint = input.adminSecretArn !== undefined && !dataApi && input.adminSecretIsManaged;
  const statements: GrantStatement[] = [rotateTheSecret(input.secretArn)];
  if (input.adminSecretArn !== undefined) statements.push(readTheAdminSecret(input.adminSecretArn));
  if (dataApi) {
    statements.push(
      {
        sid: cluster !== undefined ? 'RunStatementsOnTheCluster' : 'RunStatementsOnTheWorkgroup',
        actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
        resources: [cluster !== undefined ? redshiftArn(`cluster:${cluster}`) : anyWorkgroup],
      },
      {
        // No resource type exists for these; the Data API shows a caller only its own role's statements.
        sid: 'ReadOwnStatements',
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:ListStatements',
        ],
        resources: ['*'],
      },
    );
  }
  if (temporaryCredentials && cluster !== undefined) {
    statements.push({
      sid: 'TemporaryCredentialsOnTheCluster',
      actions: ['redshift:GetClusterCredentials'],
      resources: [
        redshiftArn(`dbuser:${cluster}/${input.databaseUsers}`),
        redshiftArn(`dbname:${cluster}/*`),
      ],
    });
  }
  if (temporaryCredentials && cluster === undefined) {
    statements.push({
      sid: 'TemporaryCredentialsOnTheWorkgroup',
      actions: ['redshift-serverless:GetCredentials'],
      resources: [anyWorkgroup],
    });
  }
  if (lookUpAdminEndpoint) {
    statements.push(
      {
        sid: 'LookUpTheClusterEndpoint',
        actions: ['redshift:DescribeClusters'],
        resources: [redshiftArn('cluster:*')],
      },
      {
        sid: 'LookUpTheWorkgroupEndpoint',
        actions: ['redshift-serverless:ListNamespaces', 'redshift-serverless:ListWorkgroups'],
        resources: ['*'],
      },
    );
  }
  statements.push(...generatePasswords(input.passwordSource));
  statements.push(...decryptWith('DecryptTheSecrets', input.kmsKeyArns));
  return statements;
}
