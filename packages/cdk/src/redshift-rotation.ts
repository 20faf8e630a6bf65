import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type RedshiftTarget, redshiftRotationGrants } from './grants/redshift-grants.js';
import {
  RotationFunction,
  type RotationFunctionProps,
  type RotationFunctionSpec,
  secretKeyArns,
  secretPolicyArn,
} from './rotation-function.js';
import { checkAllowedHosts, checkCommonProps, checkUserStrategy, isKnown, Problems } from './validate.js';

export type { RedshiftTarget } from './grants/redshift-grants.js';
export type TlsMode = 'verify-full' | 'require' | 'disable';

export interface RedshiftRotationProps extends RotationFunctionProps {
  /** `single-user` changes the user's own password; `alternating-users` needs `adminSecret`. */
  readonly strategy: 'single-user' | 'alternating-users';
  /** Alternating users: the admin secret named by the rotated secret's `masterarn` (read only). */
  readonly adminSecret?: secretsmanager.ISecret;
  /**
   * The admin secret is Redshift-managed (tagged with its cluster or namespace ARN, no host): the function
   * checks that the tag names the user's own cluster or namespace. Default: false.
   */
  readonly adminSecretIsManaged?: boolean;
  /** Serverless with a Redshift-managed admin secret: the id of the workgroup's namespace. */
  readonly namespaceId?: string;
  /**
   * The provisioned cluster (`{ clusterIdentifier }`) or Serverless workgroup (`{ workgroupName, workgroupId }`:
   * IAM names workgroups by id). Only a pg function with `allowedHosts` may leave it out.
   */
  readonly target?: RedshiftTarget;
  /**
   * `host[:port]` the function may connect to (port 5439 by default). Without it the function asks the control
   * plane where the target is (DescribeClusters / GetWorkgroup, granted on the target only).
   */
  readonly allowedHosts?: string[];
  /** `pg` connects to the endpoint (usually from the VPC); `data-api` goes through the Redshift Data API. */
  readonly transport: 'pg' | 'data-api';
  /** Data API only: authenticate with the secret (`secret-arn`, default) or `temporary-credentials` (clusters). */
  readonly dataApiAuth?: 'secret-arn' | 'temporary-credentials';
  /** Data API with temporary credentials: the database user to get credentials for (no wildcard). */
  readonly databaseUser?: string;
  /** Data API with temporary credentials: the database of the rotated secret. Default: dev. */
  readonly databaseName?: string;
  /**
   * Data API only: prove new passwords with a direct login (`pg`, default: needs a network path to the target)
   * or not at all (`none`, which needs `loginTest: 'off'`).
   */
  readonly loginCheck?: 'pg' | 'none';
  /** `off` accepts rotations that testSecret cannot prove (logged on every testSecret). Default: required. */
  readonly loginTest?: 'required' | 'off';
  /** TLS of direct logins. Default: verify-full. */
  readonly tls?: TlsMode;
  /** The cluster's or workgroup's security group; the function is allowed to `port`. Needs `vpc`. */
  readonly targetConnections?: ec2.IConnectable;
  /** Default 5439. */
  readonly port?: number;
  /** Generated password length, 8-64. Default: the function's (32). */
  readonly passwordLength?: number;
  /** Characters left out of passwords. Default: the function's. */
  readonly excludeCharacters?: string;
  /** Default: 5 minutes (Data API statements are polled; waits stop before the deadline and resume). */
  readonly timeout?: Duration;
}

/**
 * Rotates an Amazon Redshift user's password (single user, or alternating users with an admin secret) on a
 * provisioned cluster or Serverless workgroup, over pg or the Redshift Data API.
 *
 * @example
 * ```ts
 * new RedshiftRotation(this, 'ReportingRotation', {
 *   secret, strategy: 'single-user', transport: 'data-api',
 *   target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
 *   vpc, secretsManagerAccess: 'create-endpoint', targetConnections: workgroupSecurityGroup,
 * });
 * ```
 */
export class RedshiftRotation extends RotationFunction {
  constructor(scope: Construct, id: string, props: RedshiftRotationProps) {
    super(scope, id, props, redshiftSpec(scope, props));
  }
}

const TLS_MODES: readonly TlsMode[] = ['verify-full', 'require', 'disable'];
/** Redshift Serverless ids are UUIDs. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function redshiftSpec(scope: Construct, props: RedshiftRotationProps): RotationFunctionSpec {
  const problems = new Problems('RedshiftRotation');
  const timeout = props.timeout ?? Duration.minutes(5);
  checkUserStrategy(props, problems);
  if (!['pg', 'data-api'].includes(props.transport)) problems.add("transport must be 'pg' or 'data-api'");
  const dataApi = props.transport === 'data-api';
  if (props.adminSecretIsManaged && !props.adminSecret)
    problems.add('adminSecretIsManaged needs adminSecret');
  const allowedHosts = props.allowedHosts ?? [];
  checkAllowedHosts(allowedHosts, problems);
  const hasAllowedHosts = allowedHosts.length > 0;
  if (hasAllowedHosts && dataApi && props.loginCheck === 'none') {
    problems.add('allowedHosts applies to direct logins only (pg, or the Data API with loginCheck pg)');
  }
  const target = (props.target ?? {}) as Partial<{
    clusterIdentifier: string;
    workgroupName: string;
    workgroupId: string;
  }>;
  const named = [target.clusterIdentifier, target.workgroupName].filter(
    (value) => typeof value === 'string' && value.trim() !== '',
  );
  if (named.length > 1 || (named.length === 0 && (dataApi || !hasAllowedHosts))) {
    problems.add(
      'target needs exactly one of clusterIdentifier or workgroupName (a pg function with allowedHosts may give none)',
    );
  }
  const cluster = target.clusterIdentifier || undefined;
  const workgroup = target.workgroupName || undefined;
  if (workgroup !== undefined && !target.workgroupId) {
    problems.add('a workgroup target needs workgroupId (IAM names workgroups by id)');
  }
  if (target.workgroupId !== undefined && isKnown(target.workgroupId) && !UUID.test(target.workgroupId)) {
    problems.add('workgroupId must be the workgroup id (a UUID), not its name');
  }
  if (props.dataApiAuth && !dataApi) problems.add('dataApiAuth applies to the data-api transport only');
  if (props.loginCheck && !dataApi) problems.add('loginCheck applies to the data-api transport only');
  const dataApiAuth = props.dataApiAuth ?? 'secret-arn';
  if (!['secret-arn', 'temporary-credentials'].includes(dataApiAuth)) {
    problems.add("dataApiAuth must be 'secret-arn' or 'temporary-credentials'");
  }
  const loginCheck = props.loginCheck ?? 'pg';
  if (!['pg', 'none'].includes(loginCheck)) problems.add("loginCheck must be 'pg' or 'none'");
  const loginTest = props.loginTest ?? 'required';
  if (!['required', 'off'].includes(loginTest)) problems.add("loginTest must be 'required' or 'off'");
  if (dataApi && loginCheck === 'none' && loginTest !== 'off') {
    problems.add("loginCheck 'none' cannot prove a new password: set loginTest: 'off' to accept that");
  }
  const temporary = dataApi && dataApiAuth === 'temporary-credentials';
  if (temporary && workgroup !== undefined) {
    problems.add('temporary credentials (DbUser) work on provisioned clusters only');
  }
  if (temporary && cluster !== undefined && !props.databaseUser) {
    problems.add(
      'temporary credentials on a cluster need databaseUser (the user the function gets credentials for)',
    );
  }
  if ((props.databaseUser || props.databaseName) && !temporary) {
    problems.add('databaseUser and databaseName apply to data-api with temporary-credentials only');
  }
  for (const [name, value] of [
    ['databaseUser', props.databaseUser],
    ['databaseName', props.databaseName],
  ] as const) {
    if (value !== undefined && isKnown(value) && !/^[A-Za-z0-9_$.@+-]+$/.test(value)) {
      problems.add(`${name} must be a plain name (no wildcard)`);
    }
  }
  const checksManagedNamespace =
    props.adminSecretIsManaged === true && workgroup !== undefined && !hasAllowedHosts;
  if (checksManagedNamespace && !props.namespaceId) {
    problems.add(
      'a Redshift-managed admin secret on Serverless needs namespaceId (its tag names the namespace)',
    );
  }
  if (props.namespaceId && !checksManagedNamespace) {
    problems.add('namespaceId applies to a Redshift-managed admin secret on Serverless without allowedHosts');
  }
  if (props.namespaceId !== undefined && isKnown(props.namespaceId) && !UUID.test(props.namespaceId)) {
    problems.add('namespaceId must be the namespace id (a UUID)');
  }
  const logsInDirectly = !dataApi || loginCheck === 'pg';
  if (!logsInDirectly && (props.tls || props.targetConnections || props.port)) {
    problems.add('tls, targetConnections and port apply to direct logins only');
  }
  if (props.tls && !TLS_MODES.includes(props.tls)) problems.add(`tls must be one of ${TLS_MODES.join(', ')}`);
  if (props.targetConnections && !props.vpc) problems.add('targetConnections needs vpc');
  const port = props.port ?? 5439;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.add('port must be between 1 and 65535');
  const length = props.passwordLength;
  if (length !== undefined && (!Number.isInteger(length) || length < 8 || length > 64)) {
    problems.add('passwordLength must be a whole number between 8 and 64 (Redshift passwords)');
  }
  checkCommonProps(props, timeout, problems);

  const stack = Stack.of(scope);
  const environment: Record<string, string> = {
    ROTOR_STRATEGY: props.strategy,
    ROTOR_REDSHIFT_TRANSPORT: props.transport,
    EXCLUDE_PUNCTUATION: 'false',
    REQUIRE_EACH_INCLUDED_TYPE: 'true',
    ...(dataApi ? { ROTOR_REDSHIFT_DATA_API_AUTH: dataApiAuth, ROTOR_REDSHIFT_LOGIN_CHECK: loginCheck } : {}),
    ...(loginTest === 'off' ? { ROTOR_LOGIN_TEST: 'off' } : {}),
    ...(cluster !== undefined ? { ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: cluster } : {}),
    ...(workgroup !== undefined ? { ROTOR_REDSHIFT_WORKGROUP_NAME: workgroup } : {}),
    ...(hasAllowedHosts ? { ROTOR_REDSHIFT_ALLOWED_HOSTS: allowedHosts.join(',') } : {}),
    ...(props.tls ? { ROTOR_REDSHIFT_TLS: props.tls } : {}),
    ...(length !== undefined ? { PASSWORD_LENGTH: String(length) } : {}),
    ...(props.excludeCharacters !== undefined ? { EXCLUDE_CHARACTERS: props.excludeCharacters } : {}),
  };
  return {
    app: 'redshift-rotation',
    serviceName: 'rotor-redshift-rotation',
    description: `Rotor: rotates a Redshift user (${props.strategy}, ${props.transport})`,
    timeout,
    environment,
    grants: redshiftRotationGrants({
      scope: { partition: stack.partition, region: stack.region, account: stack.account },
      secretArn: secretPolicyArn(props.secret),
      adminSecretArn: props.adminSecret ? secretPolicyArn(props.adminSecret) : undefined,
      adminSecretIsManaged: props.adminSecretIsManaged ?? false,
      namespaceId: props.namespaceId,
      target:
        cluster !== undefined
          ? { clusterIdentifier: cluster }
          : workgroup !== undefined
            ? { workgroupName: workgroup, workgroupId: target.workgroupId! }
            : undefined,
      hasAllowedHosts,
      transport: props.transport,
      dataApiAuth,
      loginCheck,
      databaseUser: props.databaseUser ?? '',
      databaseName: props.databaseName ?? 'dev',
      passwordSource: props.passwordSource ?? 'local',
      kmsKeyArns: secretKeyArns(props.secret, props.adminSecret),
    }),
    targets: props.targetConnections
      ? [{ peer: props.targetConnections, port: ec2.Port.tcp(port), description: 'Redshift (direct logins)' }]
      : [],
  };
}
