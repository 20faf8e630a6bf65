import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { postgresRotationGrants } from './grants/postgres-grants.js';
import type { TlsMode } from './redshift-rotation.js';
import {
  RotationFunction,
  type RotationFunctionProps,
  type RotationFunctionSpec,
  secretKeyArns,
  secretPolicyArn,
} from './rotation-function.js';
import { checkAllowedHosts, checkCommonProps, checkUserStrategy, Problems } from './validate.js';

export interface PostgresRotationProps extends RotationFunctionProps {
  /** `single-user` changes the user's own password; `alternating-users` needs `adminSecret`. */
  readonly strategy: 'single-user' | 'alternating-users';
  /** Alternating users: the admin secret named by the rotated secret's `masterarn` (read only). */
  readonly adminSecret?: secretsmanager.ISecret;
  /**
   * `host[:port]` of every server the function may connect to (port 5432 by default): the secret's host and
   * port must be one of them (ROTOR_PG_ALLOWED_HOSTS, decision 0052). Required: a self-managed server has no
   * control plane that could say where it is.
   */
  readonly allowedHosts: string[];
  /** The database's security group (or an RDS instance); the function is allowed to `port`. Needs `vpc`. */
  readonly database?: ec2.IConnectable;
  /** Default 5432. */
  readonly port?: number;
  /** TLS to the database. Default: verify-full. */
  readonly tls?: TlsMode;
  /** Default: 2 minutes. */
  readonly timeout?: Duration;
}

/**
 * Rotates a self-managed PostgreSQL user's password (single user, or alternating users with an admin secret).
 *
 * @example
 * ```ts
 * new PostgresRotation(this, 'AppDbRotation', {
 *   secret, strategy: 'single-user', allowedHosts: ['orders-db.internal:5432'],
 *   vpc, secretsManagerAccess: 'create-endpoint', database: dbSecurityGroup,
 * });
 * ```
 */
export class PostgresRotation extends RotationFunction {
  constructor(scope: Construct, id: string, props: PostgresRotationProps) {
    super(scope, id, props, postgresSpec(props));
  }
}

function postgresSpec(props: PostgresRotationProps): RotationFunctionSpec {
  const problems = new Problems('PostgresRotation');
  const timeout = props.timeout ?? Duration.minutes(2);
  checkUserStrategy(props, problems);
  if (!Array.isArray(props.allowedHosts) || props.allowedHosts.length === 0) {
    problems.add('allowedHosts is required: the host[:port] of every server the function may connect to');
  } else {
    checkAllowedHosts(props.allowedHosts, problems);
  }
  if (props.database && !props.vpc) problems.add('database needs vpc');
  const port = props.port ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.add('port must be between 1 and 65535');
  if (props.tls && !['verify-full', 'require', 'disable'].includes(props.tls)) {
    problems.add('tls must be one of verify-full, require, disable');
  }
  checkCommonProps(props, timeout, problems);
  return {
    app: 'postgres-rotation',
    serviceName: 'rotor-postgres-rotation',
    description: `Rotor: rotates a PostgreSQL user (${props.strategy})`,
    timeout,
    environment: {
      ROTOR_STRATEGY: props.strategy,
      ROTOR_PG_ALLOWED_HOSTS: (props.allowedHosts ?? []).join(','),
      ...(props.tls ? { ROTOR_PG_TLS: props.tls } : {}),
    },
    grants: postgresRotationGrants({
      secretArn: secretPolicyArn(props.secret),
      adminSecretArn: props.adminSecret ? secretPolicyArn(props.adminSecret) : undefined,
      passwordSource: props.passwordSource ?? 'local',
      kmsKeyArns: secretKeyArns(props.secret, props.adminSecret),
    }),
    targets: props.database
      ? [{ peer: props.database, port: ec2.Port.tcp(port), description: 'PostgreSQL' }]
      : [],
  };
}
