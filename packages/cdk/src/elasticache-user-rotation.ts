import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { type ElastiCacheStrategy, elastiCacheRotationGrants } from './grants/elasticache-grants.js';
import {
  RotationFunction,
  type RotationFunctionProps,
  type RotationFunctionSpec,
} from './rotation-function.js';
import { checkCommonProps, isKnown, Problems } from './validate.js';

export interface ElastiCacheLoginTarget {
  /**
   * One cache endpoint (primary or configuration) for the AUTH login test. Default: the endpoints of
   * `cacheArns` as the control plane reports them; a host in the secret is used only when it is one of these.
   */
  readonly host?: string;
  /** The cache port, for the login test and the security-group rule. Default 6379. */
  readonly port?: number;
  /** The cache's security group (or the cache): the function is allowed to its port. */
  readonly connections?: ec2.IConnectable;
}

export interface ElastiCacheUserRotationProps extends RotationFunctionProps {
  /** The user's ARN (the secret's `user_arn`). */
  readonly userArn: string;
  /** The user's name (the secret's `username`). */
  readonly userName: string;
  /**
   * `dual-password` keeps the previous password valid until the next rotation; `alternating-users` creates
   * `<user>-clone` and alternates; `single-user` replaces the password. Fixed here, so IAM matches.
   */
  readonly strategy: ElastiCacheStrategy;
  /**
   * Every user group that holds the user. The login test finds the caches through them (DescribeUserGroups);
   * with alternating users the clone joins them all. Required unless `loginTest: 'off'`.
   */
  readonly userGroupArns?: string[];
  /**
   * The replication groups and serverless caches those user groups are associated with
   * (`arn:...:replicationgroup:<id>`, `arn:...:serverlesscache:<name>`): where the login test logs in.
   * Required unless `loginTest: 'off'`.
   */
  readonly cacheArns?: string[];
  /** The cache's port, security group and optionally one endpoint for the login test. Needs `vpc`. */
  readonly cache?: ElastiCacheLoginTarget;
  /**
   * `required` (default): testSecret logs in at the caches, so the function must be in their VPC. `off` accepts
   * rotations without proving that the new password logs in (logged on every testSecret).
   */
  readonly loginTest?: 'required' | 'off';
  /** Switch a user created "off" on with its first password. Default: false. */
  readonly enableDisabledUser?: boolean;
  /** Longest wait for the user to be `active` (MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS). Default: 10 minutes. */
  readonly maxWaitForActive?: Duration;
  /** Longest pause between DescribeUsers polls (WAITING_RETRY_INTERVAL_IN_SECONDS). Default: 10 seconds. */
  readonly waitingRetryInterval?: Duration;
  /** Generated password length, 16-128. Default: the function's (32). */
  readonly passwordLength?: number;
  /** Characters left out of passwords (comma, double quote, slash, @ and space always are). */
  readonly excludeCharacters?: string;
  /** At least 12 minutes, as AWS's ElastiCache rotation page requires. Default: 15 minutes. */
  readonly timeout?: Duration;
}

const USER_ARN = /^arn:aws[a-z-]*:elasticache:[a-z0-9-]+:\d{12}:user:[a-z][a-z0-9-]*$/;
const USER_GROUP_ARN = /^arn:aws[a-z-]*:elasticache:[a-z0-9-]+:\d{12}:usergroup:[A-Za-z][A-Za-z0-9-]*$/;
const CACHE_ARN =
  /^arn:aws[a-z-]*:elasticache:[a-z0-9-]+:\d{12}:(replicationgroup|serverlesscache):[A-Za-z][A-Za-z0-9-]*$/;
const STRATEGIES: readonly ElastiCacheStrategy[] = ['dual-password', 'single-user', 'alternating-users'];

/**
 * Rotates an ElastiCache (Redis OSS / Valkey) RBAC user's password stored in Secrets Manager, with Rotor's
 * ElastiCache function: ModifyUser through the control plane, a wait until the user is active again, and an
 * AUTH login test against the cache.
 *
 * @example
 * ```ts
 * new ElastiCacheUserRotation(this, 'AppUserRotation', {
 *   secret, userArn: user.attrArn, userName: 'app', strategy: 'dual-password',
 *   userGroupArns: [userGroup.attrArn], cacheArns: [cache.attrArn],
 *   vpc, secretsManagerAccess: 'create-endpoint', cache: { connections: cacheSecurityGroup },
 * });
 * ```
 */
export class ElastiCacheUserRotation extends RotationFunction {
  constructor(scope: Construct, id: string, props: ElastiCacheUserRotationProps) {
    super(scope, id, props, elastiCacheSpec(props));
  }
}

function elastiCacheSpec(props: ElastiCacheUserRotationProps): RotationFunctionSpec {
  const problems = new Problems('ElastiCacheUserRotation');
  const timeout = props.timeout ?? Duration.minutes(15);
  if (timeout.toSeconds() < 12 * 60)
    problems.add('timeout must be at least 12 minutes (AWS ElastiCache rotation)');
  if (!STRATEGIES.includes(props.strategy)) problems.add(`strategy must be one of ${STRATEGIES.join(', ')}`);
  if (typeof props.userArn !== 'string' || (isKnown(props.userArn) && !USER_ARN.test(props.userArn))) {
    problems.add(
      'userArn must be an ElastiCache user ARN (arn:aws:elasticache:<region>:<account>:user:<id>)',
    );
  }
  if (typeof props.userName !== 'string' || props.userName.trim() === '')
    problems.add('userName is required');
  if (props.secret && !props.secret.secretFullArn) {
    problems.add(
      'the secret needs its full ARN (Secret.fromSecretCompleteArn): the function refuses any other secret',
    );
  }
  const userGroupArns = props.userGroupArns ?? [];
  const cacheArns = props.cacheArns ?? [];
  checkArns(
    'userGroupArns',
    userGroupArns,
    USER_GROUP_ARN,
    'arn:aws:elasticache:<region>:<account>:usergroup:<id>',
    problems,
  );
  checkArns(
    'cacheArns',
    cacheArns,
    CACHE_ARN,
    'arn:aws:elasticache:<region>:<account>:replicationgroup:<id> or ...:serverlesscache:<name>',
    problems,
  );
  const loginTest = props.loginTest ?? 'required';
  if (!['required', 'off'].includes(loginTest)) problems.add("loginTest must be 'required' or 'off'");
  if (loginTest === 'required') {
    if (userGroupArns.length === 0 || cacheArns.length === 0) {
      problems.add(
        "the login test needs userGroupArns and cacheArns: it finds the caches that admit the user through them (or set loginTest: 'off' to accept untested rotations)",
      );
    }
    if (!props.vpc) problems.add("the login test needs vpc: the function must be in the cache's VPC");
  }
  if (props.cache && !props.vpc) problems.add("cache needs vpc: the function must be in the cache's VPC");
  const port = props.cache?.port ?? 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.add('cache.port must be between 1 and 65535');
  const length = props.passwordLength;
  if (length !== undefined && (!Number.isInteger(length) || length < 16 || length > 128)) {
    problems.add('passwordLength must be a whole number between 16 and 128');
  }
  const maxWait = props.maxWaitForActive?.toSeconds();
  if (maxWait !== undefined && maxWait > 900) problems.add('maxWaitForActive must be at most 15 minutes');
  const interval = props.waitingRetryInterval?.toSeconds();
  if (interval !== undefined && (interval < 1 || interval > 900)) {
    problems.add('waitingRetryInterval must be between 1 second and 15 minutes');
  }
  checkCommonProps(props, timeout, problems);

  const secretArn = props.secret.secretFullArn!;
  const environment: Record<string, string> = {
    SECRET_ARN: secretArn,
    USER_NAME: props.userName,
    ROTOR_STRATEGY: props.strategy,
    ...(props.cache?.host !== undefined
      ? { ROTOR_CACHE_HOST: props.cache.host, ROTOR_CACHE_PORT: String(port), ROTOR_CACHE_TLS: 'true' }
      : {}),
    ...(loginTest === 'off' ? { ROTOR_LOGIN_TEST: 'off' } : {}),
    // The login test finds the caches that admit the user among these, one call each (decision 0094).
    ...(cacheArns.length > 0 ? { ROTOR_CACHE_ARNS: cacheArns.join(',') } : {}),
    ...(props.enableDisabledUser !== undefined
      ? { ROTOR_ENABLE_DISABLED_USER: String(props.enableDisabledUser) }
      : {}),
    ...(maxWait !== undefined ? { MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: String(maxWait) } : {}),
    ...(interval !== undefined ? { WAITING_RETRY_INTERVAL_IN_SECONDS: String(interval) } : {}),
    ...(length !== undefined ? { PASSWORD_LENGTH: String(length) } : {}),
    ...(props.excludeCharacters !== undefined ? { EXCLUDE_CHARACTERS: props.excludeCharacters } : {}),
  };
  return {
    app: 'elasticache-rotation',
    serviceName: 'rotor-elasticache-rotation',
    description: `Rotor: rotates ElastiCache user ${props.userName} (${props.strategy})`,
    timeout,
    environment,
    grants: elastiCacheRotationGrants({
      secretArn,
      userArn: props.userArn,
      strategy: props.strategy,
      userGroupArns,
      cacheArns,
      passwordSource: props.passwordSource ?? 'local',
      kmsKeyArn: props.secret.encryptionKey?.keyArn,
    }),
    targets: props.cache?.connections
      ? [{ peer: props.cache.connections, port: ec2.Port.tcp(port), description: 'ElastiCache login test' }]
      : [],
  };
}

function checkArns(
  name: string,
  arns: readonly string[],
  pattern: RegExp,
  shape: string,
  problems: Problems,
): void {
  for (const arn of arns) {
    if (typeof arn !== 'string' || (isKnown(arn) && !pattern.test(arn))) {
      problems.add(`${name} must hold ARNs like ${shape} (got ${JSON.stringify(arn)})`);
    }
  }
}
