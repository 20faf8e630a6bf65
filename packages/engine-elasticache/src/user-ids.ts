/**
 * ElastiCache user identity: the `user_arn` that binds a secret to a user, and the naming rules the
 * service applies to user ids (`[a-zA-Z][a-zA-Z0-9-]*`, stored in lower case).
 */

/** `arn:<partition>:elasticache:<region>:<account>:user:<userId>`; the user id is the last field. */
const USER_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):elasticache:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):user:([A-Za-z][A-Za-z0-9-]*)$/;

/** A user id as CreateUser accepts it. Double and trailing hyphens are refused by the console as well. */
const USER_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Redis ACL user names cannot contain spaces or control characters (ACL SETUSER would split them). */
export const USER_NAME_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** The alternating-users suffix. `_clone` (AWS's Redshift/RDS choice) is not a valid ElastiCache user id. */
export const ALTERNATE_SUFFIX = '-clone';

export interface UserRef {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  /** Lower case, as the service stores it. */
  userId: string;
}

export function parseUserArn(arn: string): UserRef | undefined {
  const match = USER_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, userId] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { arn, partition, region, accountId, userId: userId.toLowerCase() };
}

export function isValidUserId(userId: string): boolean {
  return USER_ID_PATTERN.test(userId);
}

export function userArn(ref: Pick<UserRef, 'partition' | 'region' | 'accountId'>, userId: string): string {
  return `arn:${ref.partition}:elasticache:${ref.region}:${ref.accountId}:user:${userId}`;
}

/** `app` <-> `app-clone`: the same rule for user ids and user names, so the pair is easy to recognise. */
export function toggleAlternateSuffix(name: string): string {
  return name.endsWith(ALTERNATE_SUFFIX) && name.length > ALTERNATE_SUFFIX.length
    ? name.slice(0, -ALTERNATE_SUFFIX.length)
    : name + ALTERNATE_SUFFIX;
}
