import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../src/harness/index.ts';
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import { redisLogin } from '../support/redis-login.ts';

/**
 * The AWS page "Automatically rotating passwords for users" (ElastiCache, seed 000) run as written with the
 * aws CLI (botocore: another SDK than the JavaScript one), against a real Redis behind the endpoint.
 */
const run = promisify(execFile);

function awsCliVersion(): string | undefined {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}
const version = awsCliVersion();

let redis: RedisServerHandle;
let aws: LocalAws;
let home: string;

beforeAll(async () => {
  redis = await startRedisServer();
  aws = await startLocalAws({ elasticache: { redisUrl: redis.url } });
  home = mkdtempSync(join(tmpdir(), 'local-aws-ec-cli-'));
  writeFileSync(join(home, 'config'), '');
});

afterAll(async () => {
  await aws?.stop();
  await redis?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'config'),
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: aws.region,
    AWS_PAGER: '',
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
  };
  try {
    const { stdout } = await run('aws', ['--output', 'json', '--endpoint-url', aws.endpoint, ...args], {
      env,
      timeout: 30_000,
    });
    return {
      code: 0,
      json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {},
      stderr: '',
    };
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? -1, json: {}, stderr: failure.stderr ?? '' };
  }
}

const login = (username: string, password: string) => redisLogin(redis.port, username, password);

// Skipped, visibly named, only when `aws` is not on PATH (as tests/integration/aws-cli.test.ts does).
describe.runIf(version !== undefined)(
  `the ElastiCache seed page with the aws CLI (${version ?? 'not installed: skipped'})`,
  () => {
    it('creates the inactive user and the secret exactly as the page shows, then a rotation-style ModifyUser', async () => {
      const created = await cli([
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

      const secret = await cli([
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
      const modified = await cli([
        'elasticache',
        'modify-user',
        '--user-id',
        'user1',
        '--passwords',
        'pending-pass-0000001',
      ]);
      expect(modified.json).toMatchObject({ Authentication: { Type: 'password', PasswordCount: 1 } });
      const described = await cli(['elasticache', 'describe-users', '--user-id', 'user1']);
      expect((described.json.Users as Array<{ Status: string }>)[0]?.Status).toBe('active');

      // Still off, as the page leaves it: the password is set but nobody can log in yet.
      await expect(login('user1', 'pending-pass-0000001')).rejects.toThrow(/WRONGPASS/);
      await cli([
        'elasticache',
        'modify-user',
        '--user-id',
        'user1',
        '--access-string',
        'on +get +ping ~keys*',
      ]);
      await expect(login('user1', 'pending-pass-0000001')).resolves.toBe('PONG');
      await expect(login('user1', 'another-pass-0000002')).rejects.toThrow(/WRONGPASS/);
    });

    it('prints ElastiCache errors the CLI way', async () => {
      const missing = await cli(['elasticache', 'describe-users', '--user-id', 'nobody']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(
        'An error occurred (UserNotFound) when calling the DescribeUsers operation',
      );
      const short = await cli(['elasticache', 'modify-user', '--user-id', 'user1', '--passwords', 'short']);
      expect(short.stderr).toContain('(InvalidParameterValue)');
      expect(short.stderr).not.toContain('short');
    });
  },
);
