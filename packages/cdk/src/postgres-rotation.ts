import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type ManagedAdminDatabase, postgresRotationGrants } from './grants/postgres-grants.js';
import type { TlsMode } from './redshift-rotation.js';
import {
  RotationFunction,
  type RotationFunctionProps,
  type RotationFunctionSpec,
  secretKeyArns,
  secretPolicyArn,
} from './rotation-function.js';
import { checkAllowedHosts, checkCommonProps, checkUserStrategy, isKnown, Problems } from './validate.js';

export type { ManagedAdminDatabase } from './grants/postgres-grants.js';

/** The password variables of AWS's PostgreSQL rotation functions. Default: 32 characters, all classes. */
export interface PostgresPasswordSettings {
  /** PASSWORD_LENGTH, 8-128. */
  readonly length?: number;
  /** EXCLUDE_CHARACTERS: replaces the default list (`"'\/@:`). */
  readonly excludeCharacters?: string;
  readonly excludeNumbers?: boolean;
  readonly excludePunctuation?: boolean;
  readonly excludeUppercase?: boolean;
  readonly excludeLowercase?: boolean;
  /** REQUIRE_EACH_INCLUDED_TYPE. Default: true. */
  readonly requireEachIncludedType?: boolean;
}

export interface PostgresRotationProps extends RotationFunctionProps {
  /** `single-user` changes the user's own password; `alternating-users` needs `adminSecret`. */
  readonly strategy: 'single-user' | 'alternating-users';
  /** Alternating users: the admin secret named by the rotated secret's `masterarn` (read only). */
  readonly adminSecret?: secretsmanager.ISecret;
  /**
   * The admin secret is RDS's managed master secret of this DB instance or cluster (no host, tagged
   * `aws:rds:primaryDBInstanceArn` / `aws:rds:primaryDBClusterArn`): the function looks its endpoint up
   * (DescribeDBInstances / DescribeDBClusters, granted on that one database) and uses it only on the user's server.
   */
  readonly adminSecretManagedBy?: ManagedAdminDatabase;
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
  /** TLS to the database; a secret's `ssl` key may ask for more, never less. Default: verify-full. */
  readonly tls?: TlsMode;
  /** How new passwords are made. */
  readonly password?: PostgresPasswordSettings;
  /** Default: 2 minutes. */
  readonly timeout?: Duration;
}

/**
 * Rotates a PostgreSQL user's password (single user, or alternating users with an admin secret, which may be
 * an RDS-managed master secret).
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
    super(scope, id, props, postgresSpec(scope, props));
  }
}

/** RDS identifiers: a letter, then letters, digits and single hyphens, at most 63, no trailing hyphen. */
const RDS_IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,62}$/;

function postgresSpec(scope: Construct, props: PostgresRotationProps): RotationFunctionSpec {
  const problems = new Problems('PostgresRotation');
  const timeout = props.timeout ?? Duration.minutes(2);
  checkUserStrategy(props, problems);
  if (!Array.isArray(props.allowedHosts) || props.allowedHosts.length === 0) {
    problems.add('allowedHosts is required: the host[:port] of every server the function may connect to');
  } else {
    checkAllowedHosts(props.allowedHosts, problems);
  }
  const managed = props.adminSecretManagedBy as
    | Partial<{ dbInstanceIdentifier: string; dbClusterIdentifier: string }>
    | undefined;
  if (managed) {
    if (!props.adminSecret) problems.add('adminSecretManagedBy describes adminSecret: give it');
    const named = [managed.dbInstanceIdentifier, managed.dbClusterIdentifier].filter(
      (id) => id !== undefined,
    );
    if (named.length !== 1) {
      problems.add('adminSecretManagedBy needs exactly one of dbInstanceIdentifier or dbClusterIdentifier');
    }
    for (const id of named) {
      if (isKnown(id) && (typeof id !== 'string' || !RDS_IDENTIFIER.test(id) || id.endsWith('-'))) {
        problems.add(`adminSecretManagedBy names no RDS identifier (${JSON.stringify(id)})`);
      }
    }
  }
  if (props.database && !props.vpc) problems.add('database needs vpc');
  const port = props.port ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.add('port must be between 1 and 65535');
  if (props.tls && !['verify-full', 'require', 'disable'].includes(props.tls)) {
    problems.add('tls must be one of verify-full, require, disable');
  }
  const password = props.password ?? {};
  if (
    password.length !== undefined &&
    (!Number.isInteger(password.length) || password.length < 8 || password.length > 128)
  ) {
    problems.add('password.length must be a whole number between 8 and 128');
  }
  if (
    password.excludeUppercase &&
    password.excludeLowercase &&
    password.excludeNumbers &&
    password.excludePunctuation
  ) {
    problems.add('password settings exclude every character class');
  }
  checkCommonProps(props, timeout, problems);

  const flag = (value: boolean | undefined) => (value === undefined ? undefined : String(value));
  const passwordVariables: Record<string, string | undefined> = {
    PASSWORD_LENGTH: password.length === undefined ? undefined : String(password.length),
    EXCLUDE_CHARACTERS: password.excludeCharacters,
    EXCLUDE_NUMBERS: flag(password.excludeNumbers),
    EXCLUDE_PUNCTUATION: flag(password.excludePunctuation),
    EXCLUDE_UPPERCASE: flag(password.excludeUppercase),
    EXCLUDE_LOWERCASE: flag(password.excludeLowercase),
    REQUIRE_EACH_INCLUDED_TYPE: flag(password.requireEachIncludedType),
  };
  const stack = Stack.of(scope);
  return {
    app: 'postgres-rotation',
    serviceName: 'rotor-postgres-rotation',
    description: `Rotor: rotates a PostgreSQL user (${props.strategy})`,
    timeout,
    environment: {
      ROTOR_STRATEGY: props.strategy,
      ROTOR_PG_ALLOWED_HOSTS: (props.allowedHosts ?? []).join(','),
      ...(props.tls ? { ROTOR_PG_TLS: props.tls } : {}),
      ...Object.fromEntries(
        Object.entries(passwordVariables).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
    },
    grants: postgresRotationGrants({
      scope: { partition: stack.partition, region: stack.region, account: stack.account },
      secretArn: secretPolicyArn(props.secret),
      adminSecretArn: props.adminSecret ? secretPolicyArn(props.adminSecret) : undefined,
      managedAdmin: props.adminSecretManagedBy,
      passwordSource: props.passwordSource ?? 'local',
      kmsKeyArns: secretKeyArns(props.secret, props.adminSecret),
    }),
    targets: props.database
      ? [{ peer: props.database, port: ec2.Port.tcp(port), description: 'PostgreSQL' }]
      : [],
  };
}
