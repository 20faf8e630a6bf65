import { fileURLToPath } from 'node:url';
import {
  CreateUserCommand,
  type CreateUserCommandInput,
  CreateUserGroupCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
  ModifyServerlessCacheCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, type LocalAwsOptions, startLocalAws } from '@rotor/local-aws';
import { type CacheServers, type CacheServersSpec, startCacheServers } from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';

/** The real Lambda artifact, built once by tests/global-setup.ts as `pnpm build` builds it. */
export const bundlePath = fileURLToPath(new URL('../../dist/index.mjs', import.meta.url));

/** Where a cache listens, and the certificate that verifies it (every cache is TLS, as RBAC requires). */
export interface CacheAddress {
  port: number;
  ca: string;
}

/**
 * The local endpoint over TLS caches, each holding one user group (`<cache>-users`, with `default`):
 * users log in to a cache only once they are in its group (ElastiCache's RBAC rule, emulated).
 */
export interface CacheWorld {
  aws: LocalAws;
  servers: CacheServers;
  sm: SecretsManagerClient;
  ec: ElastiCacheClient;
  /** The address of a cache, by id. */
  cache(id: string): CacheAddress;
  /** Adds a user to a cache's user group and waits until it applies. */
  join(userId: string, cacheId: string): Promise<void>;
  /** An admin connection to a cache's Redis (for ACL snapshots). */
  admin(cacheId: string): Redis;
  /** What every rotation function here needs: the CA that verifies the caches. */
  functionEnvironment: Record<string, string>;
  stop(): Promise<void>;
}

export const groupOf = (cacheId: string) => `${cacheId}-users`;

export interface CacheWorldOptions extends Omit<LocalAwsOptions, 'elasticache'> {
  modifyingDelayMs?: number;
  /**
   * Caches whose reported endpoint is this address instead of their Redis: like a cache in a VPC the
   * function has no route to.
   */
  reportedEndpoints?: Record<string, { host: string; port: number }>;
}

export async function startCacheWorld(
  spec: CacheServersSpec,
  options: CacheWorldOptions = {},
): Promise<CacheWorld> {
  const servers = await startCacheServers(spec);
  const { modifyingDelayMs = 0, reportedEndpoints = {}, ...awsOptions } = options;
  const caches = servers.caches.map((cache) => {
    const id = cache.replicationGroupId ?? cache.serverlessCacheName ?? '';
    const endpoint = reportedEndpoints[id];
    return endpoint ? { ...cache, endpoint } : cache;
  });
  const aws = await startLocalAws({ ...awsOptions, elasticache: { caches, modifyingDelayMs } });
  const { sm, ec } = clients(aws);
  const ids = [...(spec.replicationGroups ?? []), ...(spec.serverlessCaches ?? [])];
  for (const id of ids) {
    await ec.send(
      new CreateUserGroupCommand({ UserGroupId: groupOf(id), Engine: 'redis', UserIds: ['default'] }),
    );
  }
  await aws.elasticache!.settled();
  for (const id of spec.replicationGroups ?? []) {
    await ec.send(
      new ModifyReplicationGroupCommand({ ReplicationGroupId: id, UserGroupIdsToAdd: [groupOf(id)] }),
    );
  }
  for (const id of spec.serverlessCaches ?? []) {
    await ec.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: id, UserGroupId: groupOf(id) }));
  }
  await aws.elasticache!.settled();
  const admins = new Map<string, Redis>();
  return {
    aws,
    servers,
    sm,
    ec,
    cache: (id) => ({ port: servers.server(id).port, ca: servers.ca }),
    async join(userId, cacheId) {
      await aws.elasticache!.settled();
      await ec.send(new ModifyUserGroupCommand({ UserGroupId: groupOf(cacheId), UserIdsToAdd: [userId] }));
      await aws.elasticache!.settled();
    },
    admin(cacheId) {
      let admin = admins.get(cacheId);
      if (!admin) {
        admin = new Redis(servers.server(cacheId).url, { tls: { ca: servers.ca } });
        admins.set(cacheId, admin);
      }
      return admin;
    },
    functionEnvironment: { ROTOR_CACHE_CA_FILE: servers.caFile },
    async stop() {
      for (const admin of admins.values()) admin.disconnect();
      sm.destroy();
      ec.destroy();
      await aws.stop();
      await servers.stop();
    },
  };
}

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
  options: { rotateImmediately?: boolean } = {},
) {
  await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: functionArn,
      ...(options.rotateImmediately === false ? { RotateImmediately: false } : {}),
    }),
  );
  return aws.waitForRotation(secretId, { timeoutMs: 60_000 });
}

/** Every log line the function wrote, with the error messages of failed invocations. */
export function logsOf(aws: LocalAws, functionName: string): string {
  return aws
    .invocations()
    .filter((invocation) => invocation.functionName === functionName)
    .map((invocation) => `${invocation.logs}\n${invocation.errorMessage ?? ''}`)
    .join('\n');
}

/**
 * An independent login, as an application would do it: a fresh ioredis connection over verified TLS with
 * username and password (AUTH at connect), then a GET the seed user's access string allows. Resolves
 * true / false.
 */
export async function canLogIn(
  cache: CacheAddress,
  username: string,
  password: string | undefined,
): Promise<boolean> {
  if (password === undefined) return false;
  const client = new Redis({
    host: '127.0.0.1',
    port: cache.port,
    tls: { ca: cache.ca },
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
