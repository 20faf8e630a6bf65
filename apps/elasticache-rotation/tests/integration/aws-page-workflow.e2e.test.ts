import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The AWS page "Automatically rotating passwords for users" (ElastiCache, seed 000) end to end with nothing but
 * `aws` commands: `local-aws` started as a newcomer starts it (no flags: its own TLS Redis), the user and the
 * secret as the page creates them, the RBAC guide's user group, then the function from this app's zip
 * (`aws lambda create-function --zip-file fileb://...`), configured as the page says (timeout, SECRET_ARN,
 * USER_NAME), allowed to be invoked by Secrets Manager, and the rotation. Its log lines are read back with
 * `aws logs`.
 */
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const localAwsDir = fileURLToPath(new URL('../../../../packages/local-aws', import.meta.url));
const zipPath = join(packageDir, 'dist/elasticache-rotation.zip');

const awsCliVersion = (() => {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
})();

let child: ChildProcess;
let endpoint = '';
let caFile = '';
let home = '';

async function aws(args: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'config'),
    AWS_ACCESS_KEY_ID: 'AKIALOCALAWS00000000',
    AWS_SECRET_ACCESS_KEY: 'local-aws-secret-access-key',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_PAGER: '',
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
  };
  try {
    const { stdout } = await run('aws', ['--output', 'json', ...args], { env, timeout: 60_000 });
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

/** One login and a GET the page's access string allows (`+get ~keys*`), over verified TLS, or the refusal. */
async function login(port: number, username: string, password: string): Promise<string | null> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    tls: { ca: readFileSync(caFile, 'utf8') },
  });
  let serverError: Error | undefined;
  client.on('error', (error: Error) => {
    serverError ??= error;
  });
  try {
    await client.connect();
    return await client.get('keys:probe');
  } catch (error) {
    throw serverError ?? error;
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ec-page-workflow-'));
  writeFileSync(join(home, 'config'), '');
  child = spawn(
    process.execPath,
    ['--conditions=@rotor/source', '--import', 'tsx', 'src/cli.ts', '--port', '0'],
    {
      cwd: localAwsDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Press Ctrl+C to stop.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`local-aws exited with ${code}: ${stderr}`)));
  });
  endpoint = stdout.split('\n')[0]!;
  caFile = /CA certificate (\S+)/.exec(stdout)?.[1] ?? '';
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

describe.runIf(awsCliVersion !== undefined)(
  `the ElastiCache page's workflow with only aws commands (${awsCliVersion ?? 'aws CLI not installed: skipped'})`,
  () => {
    it('creates user, secret and function, is refused without permission, then rotates; logs readable', async () => {
      // The page: an inactive user without a password, and its secret.
      const user = await aws([
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
      expect(user.stderr).toBe('');
      const secret = await aws([
        'secretsmanager',
        'create-secret',
        '--name',
        'production/ec/user1',
        '--secret-string',
        JSON.stringify({ user_arn: user.json.ARN, username: 'user1' }),
      ]);
      const secretArn = secret.json.ARN as string;
      // The RBAC guide: the user reaches the cache only through a user group associated with it.
      expect(
        (
          await aws([
            'elasticache',
            'create-user-group',
            '--user-group-id',
            'page-users',
            '--engine',
            'REDIS',
            '--user-ids',
            'default',
            'user1',
          ])
        ).stderr,
      ).toBe('');
      expect(
        (
          await aws([
            'elasticache',
            'modify-replication-group',
            '--replication-group-id',
            'rotor-local',
            '--user-group-ids-to-add',
            'page-users',
          ])
        ).stderr,
      ).toBe('');

      // The function, from this app's zip, configured as the page says.
      const created = await aws([
        'lambda',
        'create-function',
        '--function-name',
        'ec-rotation',
        '--runtime',
        'nodejs20.x',
        '--role',
        'arn:aws:iam::123456789012:role/ec-rotation',
        '--handler',
        'index.handler',
        '--zip-file',
        `fileb://${zipPath}`,
      ]);
      expect(created.stderr).toBe('');
      expect(created.json).toMatchObject({ FunctionName: 'ec-rotation', State: 'Pending', Timeout: 3 });
      expect(
        (await aws(['lambda', 'wait', 'function-active-v2', '--function-name', 'ec-rotation'])).code,
      ).toBe(0);
      const configured = await aws([
        'lambda',
        'update-function-configuration',
        '--function-name',
        'ec-rotation',
        '--timeout',
        '720',
        '--environment',
        JSON.stringify({
          Variables: {
            SECRET_ARN: secretArn,
            USER_NAME: 'user1',
            ROTOR_ENABLE_DISABLED_USER: 'true',
            ROTOR_CACHE_CA_FILE: caFile,
          },
        }),
      ]);
      expect(configured.stderr).toBe('');
      expect(
        (await aws(['lambda', 'wait', 'function-updated-v2', '--function-name', 'ec-rotation'])).code,
      ).toBe(0);
      const functionArn = created.json.FunctionArn as string;

      // Without a permission for secretsmanager.amazonaws.com, Secrets Manager may not invoke it.
      const refused = await aws([
        'secretsmanager',
        'rotate-secret',
        '--secret-id',
        'production/ec/user1',
        '--rotation-lambda-arn',
        functionArn,
      ]);
      expect(refused.stderr).toContain('(AccessDeniedException)');
      const untouched = await aws([
        'secretsmanager',
        'describe-secret',
        '--secret-id',
        'production/ec/user1',
      ]);
      expect(untouched.json.RotationEnabled).toBeUndefined();
      expect(Object.keys(untouched.json.VersionIdsToStages as object)).toHaveLength(1);

      expect(
        (
          await aws([
            'lambda',
            'add-permission',
            '--function-name',
            'ec-rotation',
            '--statement-id',
            'SecretsManagerAccess',
            '--action',
            'lambda:InvokeFunction',
            '--principal',
            'secretsmanager.amazonaws.com',
            '--source-account',
            '123456789012',
          ])
        ).stderr,
      ).toBe('');
      const rotated = await aws([
        'secretsmanager',
        'rotate-secret',
        '--secret-id',
        'production/ec/user1',
        '--rotation-lambda-arn',
        functionArn,
        '--rotation-rules',
        'AutomaticallyAfterDays=30',
      ]);
      expect(rotated.stderr).toBe('');
      await expect
        .poll(
          async () =>
            (await aws(['secretsmanager', 'get-secret-value', '--secret-id', 'production/ec/user1'])).json
              .VersionId,
          { timeout: 60_000, interval: 1_000 },
        )
        .toBe(rotated.json.VersionId);

      // The rotated password logs in; a wrong one does not.
      const value = await aws(['secretsmanager', 'get-secret-value', '--secret-id', 'production/ec/user1']);
      const { password } = JSON.parse(value.json.SecretString as string) as { password: string };
      const groups = await aws(['elasticache', 'describe-replication-groups']);
      const port = (
        groups.json.ReplicationGroups as Array<{ NodeGroups: Array<{ PrimaryEndpoint: { Port: number } }> }>
      )[0]!.NodeGroups[0]!.PrimaryEndpoint.Port;
      await expect(login(port, 'user1', password)).resolves.toBeNull();
      await expect(login(port, 'user1', `${password}x`)).rejects.toThrow(/WRONGPASS/);

      // The function's own log lines, in /aws/lambda/ec-rotation.
      const filtered = await aws([
        'logs',
        'filter-log-events',
        '--log-group-name',
        '/aws/lambda/ec-rotation',
      ]);
      const messages = (filtered.json.events as Array<{ message: string; logStreamName: string }>).map(
        (e) => e.message,
      );
      expect(messages.filter((message) => message.startsWith('START RequestId:'))).toHaveLength(4);
      expect(messages.some((message) => message.includes('finishSecret'))).toBe(true);
      expect(messages.join('\n')).not.toContain(password);
      const [stream] = (filtered.json.events as Array<{ logStreamName: string }>).map((e) => e.logStreamName);
      const events = await aws([
        'logs',
        'get-log-events',
        '--log-group-name',
        '/aws/lambda/ec-rotation',
        '--log-stream-name',
        stream!,
        '--start-from-head',
      ]);
      expect((events.json.events as Array<{ message: string }>)[0]?.message).toMatch(/^START RequestId: /);
    }, 180_000);
  },
);
