import {
  CreateUserCommand,
  CreateUserGroupCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type CacheServers, startCacheServers } from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor-run.js';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { runCli } from '../../src/program.js';
import { capturedIo } from '../unit/support/captured-io.js';

const FIRST_PASSWORD = 'first-Password-000000001';
let caches: CacheServers;
let aws: LocalAws;
let secrets: SecretsManagerClient;
let engineOptions: string;

beforeAll(async () => {
  // One TLS cache whose user group holds the user: ElastiCache users log in only through a user group.
  caches = await startCacheServers({ replicationGroups: ['cli-cache'] });
  aws = await startLocalAws({ elasticache: { caches: caches.caches, modifyingDelayMs: 50 } });
  const config = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
  secrets = new SecretsManagerClient(config);
  const elasticache = new ElastiCacheClient(config);
  const user = await elasticache.send(
    new CreateUserCommand({
      UserId: 'cli-user',
      UserName: 'cli-user',
      Engine: 'redis',
      Passwords: [FIRST_PASSWORD],
      AccessString: 'on ~keys* +get',
    }),
  );
  await elasticache.send(
    new CreateUserGroupCommand({
      UserGroupId: 'cli-group',
      Engine: 'redis',
      UserIds: ['default', 'cli-user'],
    }),
  );
  await aws.elasticache!.settled();
  await elasticache.send(
    new ModifyReplicationGroupCommand({ ReplicationGroupId: 'cli-cache', UserGroupIdsToAdd: ['cli-group'] }),
  );
  await aws.elasticache!.settled();
  elasticache.destroy();
  await secrets.send(
    new CreateSecretCommand({
      Name: 'cli/ec/user',
      SecretString: JSON.stringify({ user_arn: user.ARN, username: 'cli-user', password: FIRST_PASSWORD }),
    }),
  );
  // The engine finds the cache through the control plane; the test certificate verifies it.
  engineOptions = JSON.stringify({
    dataPlane: { caFile: caches.caFile },
    initialPollDelayMs: 20,
    retryIntervalMs: 100,
  });
});

afterAll(async () => {
  secrets?.destroy();
  await aws?.stop();
  await caches?.stop();
});

async function cli(...args: string[]) {
  const io = capturedIo();
  const code = await runCli([...args, '--endpoint', aws.endpoint], { io });
  return { code, out: io.out(), err: io.err() };
}

async function auth(password: string): Promise<string> {
  const client = new Redis({
    host: '127.0.0.1',
    port: caches.server('cli-cache').port,
    tls: { ca: caches.ca },
    username: 'cli-user',
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let failure: Error | undefined;
  client.on('error', (error: Error) => {
    failure ??= error;
  });
  try {
    await client.connect();
    await client.get('keys:x');
    return 'accepted';
  } catch (error) {
    return (failure ?? (error as Error)).message.split(' ')[0] ?? 'error';
  } finally {
    client.disconnect();
  }
}

async function current(): Promise<string> {
  const value = await secrets.send(new GetSecretValueCommand({ SecretId: 'cli/ec/user' }));
  return (JSON.parse(value.SecretString ?? '{}') as { password: string }).password;
}

describe('rotor with the elasticache engine against the local ElastiCache', () => {
  it('doctor checks the user through the control plane and logs in with AUTH', async () => {
    const { code, out } = await cli(
      'doctor',
      'cli/ec/user',
      '--engine',
      'elasticache',
      '--engine-options',
      engineOptions,
      '--json',
    );
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(out) as DoctorReport;
    expect(Object.fromEntries(report.checks.map((c) => [c.id, c.status]))).toMatchObject({
      shape: 'pass',
      preflight: 'pass',
      login: 'pass',
    });
  });

  it('rotate runs dual-password rotations: the new and the previous password work, the one before is refused', async () => {
    // Act: two rotations (auto picks dual-password for a secret without masterarn; the second says so)
    const rotate = (...extra: string[]) =>
      cli(
        'rotate',
        'cli/ec/user',
        '--engine',
        'elasticache',
        '--start',
        '--ignore-rotation-disabled',
        '--engine-options',
        engineOptions,
        ...extra,
      );
    const first = await rotate();
    const middle = await current();
    const second = await rotate('--strategy', 'dual-password');
    const newest = await current();

    // Assess
    expect(first.code).toBe(EXIT_CODES.ok);
    expect(second.code).toBe(EXIT_CODES.ok);
    expect(second.out).toContain('is now AWSCURRENT');
    expect(await auth(newest)).toBe('accepted');
    expect(await auth(middle)).toBe('accepted');
    expect(await auth(FIRST_PASSWORD)).toBe('WRONGPASS');
    expect(first.out + second.out).not.toContain(newest);
  });
});
