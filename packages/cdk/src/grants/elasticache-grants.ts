import {
  decryptWith,
  type GrantStatement,
  generatePasswords,
  type PasswordSource,
  rotateTheSecret,
} from './statement.js';

export type ElastiCacheStrategy = 'dual-password' | 'single-user' | 'alternating-users';

export interface ElastiCacheGrantsInput {
  secretArn: string;
  userArn: string;
  strategy: ElastiCacheStrategy;
  /** Every user group that holds the user: the login test reads them; alternating users' clone joins them. */
  userGroupArns: readonly string[];
  /** The replication groups and serverless caches those groups are associated with (the login test's endpoints). */
  cacheArns: readonly string[];
  passwordSource: PasswordSource;
  kmsKeyArn?: string | undefined;
}

/**
 * The ElastiCache function's rotation grants, from AWS's "Automatically rotating passwords for users" page:
 * DescribeUsers and ModifyUser on the user, the four Secrets Manager calls on the secret; the login test's
 * lookups (DescribeUserGroups on the user's groups, DescribeReplicationGroups / DescribeServerlessCaches on
 * their caches, decision 0035); alternating users adds CreateUser on `<user>-clone` and ModifyUserGroup on
 * the groups. Mirrors apps/elasticache-rotation/template.yaml.
 */
export function elastiCacheRotationGrants(input: ElastiCacheGrantsInput): GrantStatement[] {
  const alternating = input.strategy === 'alternating-users';
  const cloneArn = `${input.userArn}-clone`;
  return [
    rotateTheSecret(input.secretArn),
    {
      sid: 'ChangeTheUser',
      actions: ['elasticache:DescribeUsers', 'elasticache:ModifyUser'],
      resources: alternating ? [input.userArn, cloneArn] : [input.userArn],
    },
    ...(alternating
      ? [{ sid: 'CreateTheCloneUser', actions: ['elasticache:CreateUser'], resources: [cloneArn] }]
      : []),
    ...(input.userGroupArns.length > 0
      ? [
          {
            sid: 'FindTheUserGroups',
            actions: ['elasticache:DescribeUserGroups'],
            resources: [...input.userGroupArns],
          },
        ]
      : []),
    ...(input.cacheArns.length > 0
      ? [
          {
            sid: 'FindTheCacheEndpoints',
            actions: ['elasticache:DescribeReplicationGroups', 'elasticache:DescribeServerlessCaches'],
            resources: [...input.cacheArns],
          },
        ]
      : []),
    ...(alternating && input.userGroupArns.length > 0
      ? [
          {
            sid: 'AddTheCloneToTheUserGroups',
            actions: ['elasticache:ModifyUserGroup'],
            resources: [...input.userGroupArns, cloneArn],
          },
        ]
      : []),
    ...generatePasswords(input.passwordSource),
    ...decryptWith('DecryptTheSecret', input.kmsKeyArn ? [input.kmsKeyArn] : []),
  ];
}
