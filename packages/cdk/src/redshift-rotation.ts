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
import { checkCommonProps, checkUserStrategy, isKnown, Problems } from './validate.js';

export type { RedshiftTarget } from './grants/redshift-grants.js';
export type TlsMode = 'verify-full' | 'require' | 'disable';

export interface RedshiftRotationProps extends RotationFunctionProps {
  /** `single-user` changes the user's own password; `alternating-users` needs `adminSecret`. */
  readonly strategy: 'single-user' | 'alternating-users';
  /** Alternating users: the admin secret named by the rotated secret's `masterarn` (read only). */
  readonly adminSecret?: secretsmanager.ISecret;
  /** The admin secret is Redshift-managed (no host): the pg transport looks the endpoint up. Default: false. */
  readonly adminSecretIsManaged?: boolean;
  /** The provisioned cluster (`{ clusterIdentifier }`) or Serverless workgroup (`{ workgroupName }`). */
  readonly target: RedshiftTarget;
  /** `pg` connects to the endpoint (usually from the VPC); `data-api` goes through the Redshift Data API. */
  readonly transport: 'pg' | 'data-api';
  /** Data API only: authenticate with the secret (`secret-arn`, default) or `temporary-credentials`. */
  readonly dataApiAuth?: 'secret-arn' | 'temporary-credentials';
  /** Data API with temporary credentials on a cluster: the database user to get credentials for. */
  readonly databaseUser?: string;
  /** pg only: TLS to the endpoint. Default: verify-full. */
  readonly tls?: TlsMode;
  /** pg only: the cluster's or workgroup's security group; the function is allowed to `port`. */
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
 *   secret, strategy: 'single-user', target: { workgroupName: 'analytics' }, transport: 'data-api',
 * });
 * ```
 */
export class RedshiftRotation extends RotationFunction {
  constructor(scope: Construct, id: string, props: RedshiftRotationProps) {
    super(scope, id, props, redshiftSpec(scope, props));
  }
}

const TLS_MODES: readonly TlsMode[] = ['verify-full', 'require', 'disable'];

function redshiftSpec(scope: Construct, props: RedshiftRotationProps): RotationFunctionSpec {
  const problems = new Problems('RedshiftRotation');
  const timeout = props.timeout ?? Duration.minutes(5);
  checkUserStrategy(props, problems);
  if (!['pg', 'data-api'].includes(props.transport)) problems.add("transport must be 'pg' or 'data-api'");
  const dataApi = props.transport === 'data-api';
  if (props.adminSecretIsManaged && (!props.adminSecret || dataApi)) {
    problems.add('adminSecretIsManaged applies to alternating-users over pg only');
  }
  const target = (props.target ?? {}) as Partial<{ clusterIdentifier: string; workgroupName: string }>;
  const named = [target.clusterIdentifier, target.workgroupName].filter(
    (value) => typeof value === 'string' && value.trim() !== '',
  );
  if (named.length !== 1) problems.add('target needs exactly one of clusterIdentifier or workgroupName');
  if (props.dataApiAuth && !dataApi) problems.add('dataApiAuth applies to the data-api transport only');
  const dataApiAuth = props.dataApiAuth ?? 'secret-arn';
  if (!['secret-arn', 'temporary-credentials'].includes(dataApiAuth)) {
    problems.add("dataApiAuth must be 'secret-arn' or 'temporary-credentials'");
  }
  const temporaryOnCluster = dataApi && dataApiAuth === 'temporary-credentials' && !!target.clusterIdentifier;
  if (temporaryOnCluster && !props.databaseUser) {
    problems.add(
      'temporary credentials on a cluster need databaseUser (the user the function gets credentials for)',
    );
  }
  if (props.databaseUser && !temporaryOnCluster) {
    problems.add('databaseUser applies to data-api with temporary-credentials on a cluster only');
  }
  if (dataApi && (props.tls || props.targetConnections || props.port)) {
    problems.add('tls, targetConnections and port apply to the pg transport only');
  }
  if (props.tls && !TLS_MODES.includes(props.tls)) problems.add(`tls must be one of ${TLS_MODES.join(', ')}`);
  if (props.targetConnections && !props.vpc) problems.add('targetConnections needs vpc');
  const port = props.port ?? 5439;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.add('port must be between 1 and 65535');
  const length = props.passwordLength;
  if (length !== undefined && (!Number.isInteger(length) || length < 8 || length > 64)) {
    problems.add('passwordLength must be a whole number between 8 and 64 (Redshift passwords)');
  }
  if (
    props.databaseUser !== undefined &&
    isKnown(props.databaseUser) &&
    !/^[A-Za-z0-9_$.@+-]+$/.test(props.databaseUser)
  ) {
    problems.add('databaseUser must be a plain user name (no wildcard)');
  }
  checkCommonProps(props, timeout, problems);

  const stack = Stack.of(scope);
  const environment: Record<string, string> = {
    ROTOR_STRATEGY: props.strategy,
    ROTOR_REDSHIFT_TRANSPORT: props.transport,
    EXCLUDE_PUNCTUATION: 'false',
    REQUIRE_EACH_INCLUDED_TYPE: 'true',
    ...(dataApi ? { ROTOR_REDSHIFT_DATA_API_AUTH: dataApiAuth } : {}),
    ...(dataApi && target.clusterIdentifier
      ? { ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: target.clusterIdentifier }
      : {}),
    ...(dataApi && target.workgroupName ? { ROTOR_REDSHIFT_WORKGROUP_NAME: target.workgroupName } : {}),
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
      target: target.clusterIdentifier
        ? { clusterIdentifier: target.clusterIdentifier }
        : { workgroupName: target.workgroupName! },
      transport: props.transport,
      dataApiAuth,
      databaseUsers: props.databaseUser ?? '',
      passwordSource: props.passwordSource ?? 'local',
      kmsKeyArns: secretKeyArns(props.secret, props.adminSecret),
    }),
    targets: props.targetConnections
      ? [{ peer: props.targetConnections, port: ec2.Port.tcp(port), description: 'Redshift (pg transport)' }]
      : [],
  };
}
