import {
  type ArnScope,
  decryptWith,
  type GrantStatement,
  generatePasswords,
  type PasswordSource,
  readTheAdminSecret,
  rotateTheSecret,
} from './statement.js';

/**
 * A provisioned cluster by identifier, or a Serverless workgroup by name and id (IAM names workgroups by id,
 * the function by name).
 */
export type RedshiftTarget = { clusterIdentifier: string } | { workgroupName: string; workgroupId: string };

export interface RedshiftGrantsInput {
  scope: ArnScope;
  secretArn: string;
  /** Alternating users: the admin secret named by the secret's `masterarn`. */
  adminSecretArn?: string | undefined;
  /** The admin secret is Redshift-managed: tagged with its cluster or namespace ARN, no host. */
  adminSecretIsManaged: boolean;
  /** Serverless with a Redshift-managed admin secret: the namespace the tag must name. */
  namespaceId?: string | undefined;
  /** Absent only for a pg function with allowed hosts. */
  target: RedshiftTarget | undefined;
  /** The function connects only to configured hosts, so it never asks the control plane. */
  hasAllowedHosts: boolean;
  transport: 'pg' | 'data-api';
  dataApiAuth: 'secret-arn' | 'temporary-credentials';
  /** Data API: prove logins directly (`pg`) or not at all (`none`). */
  loginCheck: 'pg' | 'none';
  /** Temporary credentials on a cluster: the one database user and database. */
  databaseUser: string;
  databaseName: string;
  passwordSource: PasswordSource;
  kmsKeyArns: readonly string[];
}

/** The Data API shows, and IAM lets a role read, only the statements its own role session ran. */
const OWN_STATEMENTS = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM
  StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' },
};

/**
 * The Redshift function's rotation grants (decision 0044): Secrets Manager on the rotated secret (reading only
 * on the admin secret), endpoint lookups on the named cluster or workgroup when the function logs in directly
 * and has no allowed hosts, Data API statements on that cluster or workgroup, the function's own statements,
 * and temporary credentials for one database user. Mirrors apps/redshift-rotation/template.yaml.
 */
export function redshiftRotationGrants(input: RedshiftGrantsInput): GrantStatement[] {
  const { partition, region, account } = input.scope;
  const redshiftArn = (resource: string) => `arn:${partition}:redshift:${region}:${account}:${resource}`;
  const serverlessArn = (resource: string) =>
    `arn:${partition}:redshift-serverless:${region}:${account}:${resource}`;
  const target = input.target;
  const cluster = target && 'clusterIdentifier' in target ? target.clusterIdentifier : undefined;
  const workgroupId = target && 'workgroupId' in target ? target.workgroupId : undefined;
  const workgroupArn = serverlessArn(`workgroup/${workgroupId}`);
  const dataApi = input.transport === 'data-api';
  const logsInDirectly = !dataApi || input.loginCheck === 'pg';
  const looksUpEndpoints = logsInDirectly && !input.hasAllowedHosts;

  const statements: GrantStatement[] = [rotateTheSecret(input.secretArn)];
  if (input.adminSecretArn !== undefined) statements.push(readTheAdminSecret(input.adminSecretArn));
  if (looksUpEndpoints && cluster !== undefined) {
    statements.push({
      sid: 'LookUpTheClusterEndpoint',
      actions: ['redshift:DescribeClusters'],
      resources: [redshiftArn(`cluster:${cluster}`)],
    });
  }
  if (looksUpEndpoints && workgroupId !== undefined) {
    statements.push({
      sid: 'LookUpTheWorkgroupEndpoint',
      actions: ['redshift-serverless:GetWorkgroup'],
      resources: [workgroupArn],
    });
  }
  if (
    input.adminSecretArn !== undefined &&
    input.adminSecretIsManaged &&
    workgroupId !== undefined &&
    !input.hasAllowedHosts
  ) {
    statements.push({
      sid: 'CheckTheManagedAdminNamespace',
      actions: ['redshift-serverless:GetWorkgroup', 'redshift-serverless:GetNamespace'],
      resources: [workgroupArn, serverlessArn(`namespace/${input.namespaceId}`)],
    });
  }
  if (dataApi && cluster !== undefined) {
    statements.push({
      sid: 'RunStatementsOnTheCluster',
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resources: [redshiftArn(`cluster:${cluster}`)],
    });
  }
  if (dataApi && workgroupId !== undefined) {
    statements.push({
      sid: 'RunStatementsOnTheWorkgroup',
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resources: [workgroupArn],
    });
  }
  if (dataApi) {
    statements.push({
      sid: 'FollowOwnStatements',
      actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'],
      resources: ['*'],
      conditions: OWN_STATEMENTS,
    });
  }
  if (dataApi && !logsInDirectly) {
    // Only without direct logins does a refused single-user retry need the statement history (decision 0043).
    statements.push({
      sid: 'ListOwnStatements',
      actions: ['redshift-data:ListStatements'],
      resources: ['*'],
      conditions: OWN_STATEMENTS,
    });
  }
  if (dataApi && cluster !== undefined && input.dataApiAuth === 'temporary-credentials') {
    statements.push({
      sid: 'TemporaryCredentialsForOneUser',
      actions: ['redshift:GetClusterCredentials'],
      resources: [
        redshiftArn(`dbuser:${cluster}/${input.databaseUser}`),
        redshiftArn(`dbname:${cluster}/${input.databaseName}`),
      ],
    });
  }
  statements.push(...generatePasswords(input.passwordSource));
  statements.push(...decryptWith('DecryptTheSecrets', input.kmsKeyArns));
  return statements;
}
