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
  /** Alternating users: every user group that holds the user (the clone joins them all). */
  userGroupArns: readonly string[];
  passwordSource: PasswordSource;
  kmsKeyArn?: string | undefined;
}

/**
 * The ElastiCache function's rotation grants, from AWS's "Automatically rotating passwords for users" page:
 * DescribeUsers and ModifyUser on the user, the four Secrets Manager calls on the secret; alternating users
 * adds CreateUser on `<user>-clone` and the user groups. Mirrors apps/elasticache-rotation/template.yaml.
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
    ...(alternating && input.userGroupArns.length > 0
      ? [
          {
            sid: 'AddTheCloneToTheUserGroups',
            actions: ['elasticache:DescribeUserGroups', 'elasticache:ModifyUserGroup'],
            resources: [...input.userGroupArns, cloneArn],
          },
        ]
      : []),
    ...generatePasswords(input.passwordSource),
    ...decryptWith('DecryptTheSecret', input.kmsKeyArn ? [input.kmsKeyArn] : []),
  ];
}
