import { fileURLToPath } from 'node:url';
import {
  CreateUserCommand,
  type CreateUserCommandInput,
  DescribeUsersCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { LocalAws } from '@rotor/local-aws';
import { Redis } from 'ioredis';

/** The real Lambda artifact, built once by tests/global-setup.ts as `pnpm build` builds it. */
export const bundlePath = fileURLToPath(new URL('../../dist/index.mjs', import.meta.url));

export function clients(aws: LocalAws) {
  const config = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
  return { sm: new SecretsManagerClient(config), ec: new ElastiCacheClient(config) };
}

export const userArnOf = (aws: LocalAws, userId: string) =>
  `arn:aws:elasticache:${aws.region}:${aws.accountId}:user:${userId}`;

/** The seed page's first step: `create-user --no-password --access-string "*off* +get ~keys*"`. */
export async function createSeedUser(
  ec: ElastiCacheClient,
  userId: string,
  extra: Partial<CreateUserCommandInput> = {},
) {
  await ec.send(
    new CreateUserCommand({
      UserId: userId,
      UserName: userId,
      Engine: 'REDIS',
      NoPasswordRequired: true,
      AccessString: '*off* +get ~keys*',
      ...extra,
    }),
  );
}

export async function describeUser(ec: ElastiCacheClient, userId: string) {
  const output = await ec.send(new DescribeUsersCommand({ UserId: userId }));
  return output.Users?.[0];
}

export async function createSecret(sm: SecretsManagerClient, name: string, value: Record<string, unknown>) {
  const output = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
  return output.ARN!;
}

export async function secretAt(sm: SecretsManagerClient, secretId: string, stage: string) {
  const output = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return JSON.parse(output.SecretString!) as Record<string, unknown> & {
    username: string;
    password?: string;
  };
}

export async function versionStages(sm: SecretsManagerClient, secretId: string) {
  const output = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
  return Object.fromEntries(
    (output.Versions ?? []).map((v) => [v.VersionId!, [...(v.VersionStages ?? [])].sort()]),
  );
}

export async function rotateAndWait(
  aws: LocalAws,
  sm: SecretsManagerClient,
  secretId: string,
  functionArn: string,
) {
  await sm.send(new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: functionArn }));
  return aws.waitForRotation(secretId, { timeoutMs: 60_000 });
}

/**
 * An independent login, as an application would do it: a fresh ioredis connection with username and
 * password (AUTH at connect), then a GET the seed user's access string allows. Resolves true / false.
 */
export async function canLogIn(
  port: number,
  username: string,
  password: string | undefined,
): Promise<boolean> {
  if (password === undefined) return false;
  const client = new Redis({
    host: '127.0.0.1',
    port,
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  let serverError: Error | undefined;
  client.on('error', (error: Error) => {
    serverError ??= error;
  });
  try {
    await client.connect();
    await client.get('keys:probe');
    return true;
  } catch (error) {
    const message = String((serverError ?? (error as Error)).message);
    if (/WRONGPASS|NOAUTH|Connection is closed/.test(message)) return false;
    throw serverError ?? error;
  } finally {
    client.disconnect();
  }
}

/** The Redis ACL as it stands (users and password hashes): "nothing changed" is asserted against it. */
export async function aclSnapshot(admin: Redis): Promise<string[]> {
  return ((await admin.call('ACL', 'LIST')) as string[]).sort();
}
