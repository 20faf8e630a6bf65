import { CreateUserCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalAws } from '@rotor/local-aws';

/**
 * An ElastiCache user (CreateUser through the local endpoint, so the ACL reaches the backing Redis) and
 * its secret in the shape AWS's ElastiCache rotation expects: username, password, user_arn.
 */
export async function createElastiCacheUserSecret(
  clients: { elasticache: ElastiCacheClient; sm: SecretsManagerClient; aws: LocalAws },
  user: { userId: string; password: string; secretId: string },
): Promise<void> {
  const { elasticache, sm, aws } = clients;
  await elasticache.send(
    new CreateUserCommand({
      UserId: user.userId,
      UserName: user.userId,
      Engine: 'redis',
      AccessString: 'on ~* +@all',
      Passwords: [user.password],
    }),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: user.secretId,
      SecretString: JSON.stringify({
        username: user.userId,
        password: user.password,
        user_arn: `arn:aws:elasticache:${aws.region}:${aws.accountId}:user:${user.userId}`,
      }),
    }),
  );
}
