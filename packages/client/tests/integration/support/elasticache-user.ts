import {
  CreateUserCommand,
  CreateUserGroupCommand,
  type ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalAws } from '@rotor/local-aws';

/**
 * ElastiCache users (CreateUser through the local endpoint) that can log in to a TLS replication group:
 * one new user group holding `default` and them, associated with the replication group, as an operator
 * sets up RBAC. A user reaches a cache only through the user group associated with it (decision 0035),
 * so the emulator puts them into the cache's Redis only once the association applies; this waits for it.
 * The ElastiCache function adds an alternating user's clone to the same group itself (cloneUser).
 */
export async function createUsersInGroup(
  clients: { elasticache: ElastiCacheClient; aws: LocalAws },
  setup: {
    replicationGroupId: string;
    userGroupId: string;
    users: readonly { userId: string; password: string }[];
  },
): Promise<void> {
  const { elasticache, aws } = clients;
  for (const { userId, password } of setup.users) {
    await elasticache.send(
      new CreateUserCommand({
        UserId: userId,
        UserName: userId,
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        Passwords: [password],
      }),
    );
  }
  await aws.elasticache!.settled();
  await elasticache.send(
    new CreateUserGroupCommand({
      UserGroupId: setup.userGroupId,
      Engine: 'redis',
      UserIds: ['default', ...setup.users.map(({ userId }) => userId)],
    }),
  );
  await aws.elasticache!.settled();
  await elasticache.send(
    new ModifyReplicationGroupCommand({
      ReplicationGroupId: setup.replicationGroupId,
      UserGroupIdsToAdd: [setup.userGroupId],
    }),
  );
  await aws.elasticache!.settled();
}

/** A user's secret in the shape AWS's ElastiCache rotation expects: username, password, user_arn. */
export async function createElastiCacheUserSecret(
  clients: { sm: SecretsManagerClient; aws: LocalAws },
  user: { userId: string; password: string; secretId: string },
): Promise<void> {
  const { sm, aws } = clients;
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
