import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type CacheServers, startCacheServers } from '@rotor/local-aws/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli, awsCliVersion } from '../support/aws-cli.ts';
import { redisLogin } from '../support/redis-login.ts';

/**
 * The AWS page "Automatically rotating passwords for users" (ElastiCache, seed 000) run as written with the
 * aws CLI (botocore: another SDK than the JavaScript one), against a real TLS Redis behind the endpoint;
 * then the RBAC guide's steps that let the user reach the cache (a user group, associated with it).
 */

let servers: CacheServers;
let aws: LocalAws;
let cli: AwsCli;

beforeAll(async () => {
  servers = await startCacheServers({ replicationGroups: ['my-cache'] });
  aws = await startLocalAws({ elasticache: { caches: servers.caches } });
  cli = awsCli(aws, { withEndpoint: true });
});

afterAll(async () => {
  await aws?.stop();
  await servers?.stop();
  cli?.dispose();
});

const login = (username: string, password: string) =>
  redisLogin({ port: servers.server('my-cache').port, ca: servers.ca }, username, password);

// Skipped, visibly named, only when `aws` is not on PATH (as tests/integration/aws-cli.test.ts does).
describe.runIf(awsCliVersion !== undefined)(
  `the ElastiCache seed page with the aws CLI (${awsCliVersion ?? 'not installed: skipped'})`,
  // Each `aws` command starts a Python interpreter: seconds apiece on a busy two-core machine.
  { timeout: 120_000 },
  () => {
    // Eleven aws CLI processes (python start-up each): on a loaded machine they outlast the 30 s default.
    it('creates the inactive user and the secret exactly as the page shows, then a rotation-style ModifyUser', async () => {
      const created = await cli.run([
        'elasticache',
        'create-user',
        '--user-id',
        'user1',
        '--user-name',
        'user1',
        '--engine',
        'REDIS',
        '--no-password',
        '--access-string',
        '*off* +get ~keys*',
      ]);
      expect(created.stderr).toBe('');
      expect(created.json).toEqual({
        UserId: 'user1',
        UserName: 'user1',
        Status: 'active',
        Engine: 'redis',
        MinimumEngineVersion: '6.0',
        AccessString: 'off ~keys* -@all +get',
        UserGroupIds: [],
        Authentication: { Type: 'no-password', PasswordCount: 0 },
        ARN: 'arn:aws:elasticache:us-east-1:123456789012:user:user1',
      });

      const secret = await cli.run([
        'secretsmanager',
        'create-secret',
        '--name',
        'production/ec/user1',
        '--secret-string',
        JSON.stringify({ user_arn: created.json.ARN, username: 'user1' }),
      ]);
      expect(secret.json.ARN).toMatch(
        /^arn:aws:secretsmanager:us-east-1:123456789012:secret:production\/ec\/user1-/,
      );

      // What the rotation function's setSecret sends: UserId (the ARN's last field) and the passwords.
      const modified = await cli.run([
        'elasticache',
        'modify-user',
        '--user-id',
        'user1',
        '--passwords',
        'pending-pass-0000001',
      ]);
      expect(modified.json).toMatchObject({ Authentication: { Type: 'password', PasswordCount: 1 } });
      const described = await cli.run(['elasticache', 'describe-users', '--user-id', 'user1']);
      expect((described.json.Users as Array<{ Status: string }>)[0]?.Status).toBe('active');

      // Still off, as the page leaves it: the password is set but nobody can log in yet.
      await expect(login('user1', 'pending-pass-0000001')).rejects.toThrow(/WRONGPASS/);
      await cli.run([
        'elasticache',
        'modify-user',
        '--user-id',
        'user1',
        '--access-string',
        'on +get +ping ~keys*',
      ]);
      // Switched on, but in no user group associated with the cache: still refused (RBAC guide).
      await expect(login('user1', 'pending-pass-0000001')).rejects.toThrow(/WRONGPASS/);
      const group = await cli.run([
        'elasticache',
        'create-user-group',
        '--user-group-id',
        'new-group-1',
        '--engine',
        'REDIS',
        '--user-ids',
        'default',
        'user1',
      ]);
      expect(group.json).toMatchObject({ UserGroupId: 'new-group-1', ReplicationGroups: [] });
      const associated = await cli.run([
        'elasticache',
        'modify-replication-group',
        '--replication-group-id',
        'my-cache',
        '--user-group-ids-to-add',
        'new-group-1',
      ]);
      expect(associated.stderr).toBe('');
      expect(associated.json).toMatchObject({
        ReplicationGroup: { ReplicationGroupId: 'my-cache', TransitEncryptionEnabled: true },
      });
      const groups = await cli.run(['elasticache', 'describe-replication-groups']);
      expect(groups.json).toMatchObject({
        ReplicationGroups: [{ ReplicationGroupId: 'my-cache', UserGroupIds: ['new-group-1'] }],
      });
      await expect(login('user1', 'pending-pass-0000001')).resolves.toBe('PONG');
      await expect(login('user1', 'another-pass-0000002')).rejects.toThrow(/WRONGPASS/);
    }, 90_000);

    it('prints ElastiCache errors the CLI way', async () => {
      const missing = await cli.run(['elasticache', 'describe-users', '--user-id', 'nobody']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(
        'An error occurred (UserNotFound) when calling the DescribeUsers operation',
      );
      const short = await cli.run([
        'elasticache',
        'modify-user',
        '--user-id',
        'user1',
        '--passwords',
        'short',
      ]);
      expect(short.stderr).toContain('(InvalidParameterValue)');
      expect(short.stderr).not.toContain('short');
    });
  },
);
