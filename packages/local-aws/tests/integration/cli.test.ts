import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateUserCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyUserCommand,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LOCAL_CREDENTIALS } from '@rotor/local-aws';
import { type RedisServerHandle, startRedisServer } from '@rotor/local-aws/harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** `local-aws` as a process: first stdout line is the URL; SIGINT stops it and saves the state file. */
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/rotation-function.mjs', import.meta.url));

interface Started {
  child: ChildProcess;
  endpoint: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Every process started here, killed after each test even when an assertion failed mid-way. */
const children = new Set<ChildProcess>();

function startCli(args: string[]): Promise<Started> {
  const child = spawn(
    process.execPath,
    // --no-embedded: these tests give the servers they need; the embedded default (a PostgreSQL initdb per
    // start) is tested in cli-embedded.test.ts.
    ['--conditions=@rotor/source', '--import', 'tsx', 'src/cli.ts', '--no-embedded', ...args],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const firstLine = stdout.split('\n')[0]!;
      if (stdout.includes('Press Ctrl+C to stop.') && /^http:\/\/127\.0\.0\.1:\d+$/.test(firstLine)) {
        resolve({ child, endpoint: firstLine, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    exited.then((code) =>
      reject(new Error(`local-aws exited with ${code} before printing its URL: ${stderr}`)),
    );
  });
}

let dir: string;
let redis: RedisServerHandle;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-cli-'));
  redis = await startRedisServer();
});
afterEach(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('local-aws CLI', () => {
  it('serves until SIGINT, runs configured rotation functions, and keeps state across restarts', async () => {
    const stateFile = join(dir, 'state.json');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        functions: [{ functionName: 'cli-rotation', bundlePath: fixture, environment: { STATE_DIR: dir } }],
        rotation: { maxAttempts: 1, retryDelayMs: 10 },
      }),
    );
    const first = await startCli([
      '--port',
      '0',
      '--state-file',
      stateFile,
      '--config',
      config,
      '--redis-url',
      redis.url,
      '--modifying-delay-ms',
      '50',
    ]);
    expect(first.stdout()).toContain(`aws --endpoint-url ${first.endpoint} secretsmanager`);
    expect(first.stdout()).toContain('arn:aws:lambda:us-east-1:123456789012:function:cli-rotation');
    // The Redis admin password is never printed.
    expect(first.stdout()).not.toContain(redis.password);
    expect(first.stdout()).toContain('****');

    const sm = new SecretsManagerClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    await sm.send(
      new CreateSecretCommand({ Name: 'cli/kept', SecretString: '{"username":"u","password":"p"}' }),
    );
    await sm.send(new RotateSecretCommand({ SecretId: 'cli/kept', RotationLambdaARN: 'cli-rotation' }));
    await expect
      .poll(
        async () =>
          JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'cli/kept' }))).SecretString!)
            .password,
        {
          timeout: 20_000,
        },
      )
      .not.toBe('p');
    const ec = new ElastiCacheClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    const users = await ec.send(new DescribeUsersCommand({}));
    expect(users.Users?.map((u) => u.UserId)).toContain('default');
    sm.destroy();
    ec.destroy();

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain('SIGINT, stopping');
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      secrets: Array<{ name: string }>;
      elasticache?: unknown;
    };
    expect(saved.secrets.map((s) => s.name)).toEqual(['cli/kept']);
    expect(saved.elasticache).toBeDefined();

    const second = await startCli(['--port', '0', '--state-file', stateFile]);
    const sm2 = new SecretsManagerClient({
      endpoint: second.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    const value = await sm2.send(new GetSecretValueCommand({ SecretId: 'cli/kept' }));
    expect(JSON.parse(value.SecretString!).password).not.toBe('p');
    expect(value.VersionStages).toEqual(['AWSCURRENT']);
    sm2.destroy();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('with --verbose, writes no password any secret version held to stdout or stderr', async () => {
    const config = join(dir, 'verbose-config.json');
    const failuresDir = mkdtempSync(join(dir, 'verbose-'));
    writeFileSync(
      config,
      JSON.stringify({
        functions: [
          {
            functionName: 'verbose-rotation',
            bundlePath: fixture,
            // The first attempt fails after createSecret wrote AWSPENDING, so the retry path logs too.
            environment: { STATE_DIR: failuresDir, FAIL_STEP: 'setSecret', FAIL_TIMES: '1' },
          },
        ],
        rotation: { maxAttempts: 2, retryDelayMs: 10 },
      }),
    );
    const started = await startCli([
      '--port',
      '0',
      '--verbose',
      '--config',
      config,
      '--redis-url',
      redis.url,
    ]);
    const clientConfig = {
      endpoint: started.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    };
    const sm = new SecretsManagerClient(clientConfig);
    const ec = new ElastiCacheClient(clientConfig);
    const initial = 'initial-password-never-printed-0001';
    await sm.send(
      new CreateSecretCommand({
        Name: 'verbose/app',
        SecretString: JSON.stringify({ username: 'verbose-app', password: initial }),
      }),
    );
    const currentPassword = async () =>
      JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'verbose/app' }))).SecretString!)
        .password as string;
    await ec.send(
      new CreateUserCommand({
        UserId: 'verbose-app',
        UserName: 'verbose-app',
        Engine: 'redis',
        AccessString: 'on ~* +get',
        Passwords: [initial],
      }),
    );
    let previous = initial;
    for (let rotation = 0; rotation < 2; rotation++) {
      await sm.send(
        new RotateSecretCommand({ SecretId: 'verbose/app', RotationLambdaARN: 'verbose-rotation' }),
      );
      await expect.poll(currentPassword, { timeout: 20_000 }).not.toBe(previous);
      const next = await currentPassword();
      await ec.send(new ModifyUserCommand({ UserId: 'verbose-app', Passwords: [previous, next] }));
      previous = next;
    }
    // A refused request (a cross-site page) whose body carries a password is logged without its body.
    const refused = await fetch(started.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'secretsmanager.PutSecretValue', origin: 'https://evil.example' },
      body: JSON.stringify({ SecretId: 'verbose/app', SecretString: previous }),
    });
    expect(refused.status).toBe(403);

    const versions = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: 'verbose/app', IncludeDeprecated: true }),
    );
    const passwords = new Set<string>([initial]);
    for (const version of versions.Versions ?? []) {
      const value = await sm.send(
        new GetSecretValueCommand({ SecretId: 'verbose/app', VersionId: version.VersionId }),
      );
      passwords.add(JSON.parse(value.SecretString!).password as string);
    }
    sm.destroy();
    ec.destroy();
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);

    expect(passwords.size).toBe(3);
    // The scan has something to read: verbose lines of the rotations, the retry, ModifyUser, the refusal and
    // the function's own output.
    const output = `${started.stdout()}\n${started.stderr()}`;
    for (const line of [
      'Rotation attempt failed',
      'Rotation ended',
      'elasticache: ModifyUser',
      'Request refused',
      // The function's own log lines (issue 15: never shown before, not even with --verbose).
      '/aws/lambda/verbose-rotation: START RequestId: ',
      '/aws/lambda/verbose-rotation: REPORT RequestId: ',
    ]) {
      expect(output).toContain(line);
    }
    for (const password of passwords) expect(output).not.toContain(password);
  });

  it('verifies signatures with the keys of the config file (auth sigv4) and never prints a secret key', async () => {
    const key = { accessKeyId: 'AKIAROTORCONFIG00001', secretAccessKey: 'rotor-config-secret-access-key-01' };
    const config = join(dir, 'sigv4-config.json');
    writeFileSync(config, JSON.stringify({ auth: 'sigv4', accessKeys: [key] }));
    const started = await startCli(['--port', '0', '--config', config]);
    expect(started.stdout()).toContain(`AWS_ACCESS_KEY_ID=${key.accessKeyId}`);
    expect(started.stdout()).toContain('signatures are verified');
    const client = (credentials: typeof key) =>
      new SecretsManagerClient({
        endpoint: started.endpoint,
        region: 'us-east-1',
        credentials,
        maxAttempts: 1,
      });
    const signed = client(key);
    const dummy = client({ ...LOCAL_CREDENTIALS });
    await signed.send(new CreateSecretCommand({ Name: 'cli/signed', SecretString: 'v' }));
    await expect(dummy.send(new GetSecretValueCommand({ SecretId: 'cli/signed' }))).rejects.toHaveProperty(
      'name',
      'UnrecognizedClientException',
    );
    signed.destroy();
    dummy.destroy();
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(`${started.stdout()}${started.stderr()}`).not.toContain(key.secretAccessKey);
  });

  it('loses nothing to SIGKILL: every change is in the state file, and the restart re-drives the interrupted rotation', async () => {
    const stateFile = join(dir, 'killed.json');
    const config = join(dir, 'killed-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        functions: [
          {
            functionName: 'slow-rotation',
            bundlePath: fixture,
            environment: { STATE_DIR: dir, SLEEP_STEP: 'testSecret', SLEEP_MS: '1500' },
          },
        ],
        rotation: { maxAttempts: 2, retryDelayMs: 50 },
      }),
    );
    const args = ['--port', '0', '--state-file', stateFile, '--config', config, '--redis-url', redis.url];
    const first = await startCli(args);
    const client = (endpoint: string) =>
      new SecretsManagerClient({
        endpoint,
        region: 'us-east-1',
        credentials: { ...LOCAL_CREDENTIALS },
        maxAttempts: 1,
      });
    const ec = new ElastiCacheClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    await ec.send(
      new CreateUserCommand({
        UserId: 'killed-user',
        UserName: 'killed-user',
        Engine: 'redis',
        AccessString: 'on ~* +get',
        Passwords: ['a-password-of-sixteen'],
      }),
    );
    ec.destroy();
    const sm = client(first.endpoint);
    await sm.send(
      new CreateSecretCommand({ Name: 'cli/killed', SecretString: '{"username":"u","password":"p"}' }),
    );
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: 'cli/killed', RotationLambdaARN: 'slow-rotation' }),
    );
    sm.destroy();
    // testSecret is running (createSecret has filled AWSPENDING) when the endpoint dies.
    const saved = () =>
      JSON.parse(readFileSync(stateFile, 'utf8')) as {
        secrets: Array<{ name: string; versions: Array<{ versionId: string; secretString?: string }> }>;
        rotations: Array<{ clientRequestToken: string; status: string }>;
        elasticache: { users: Array<{ userId: string }> };
      };
    await expect
      .poll(
        () =>
          saved()
            .secrets.find((secret) => secret.name === 'cli/killed')
            ?.versions.find((version) => version.versionId === VersionId)?.secretString !== undefined,
        { timeout: 30_000 },
      )
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(saved().rotations).toContainEqual(
      expect.objectContaining({ clientRequestToken: VersionId, status: 'running' }),
    );
    expect(saved().elasticache.users.map((user) => user.userId)).toContain('killed-user');

    const second = await startCli(args);
    // The user created before the SIGKILL is served by the restarted endpoint (from the state file).
    const ec2 = new ElastiCacheClient({
      endpoint: second.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    const restored = await ec2.send(new DescribeUsersCommand({ UserId: 'killed-user' }));
    expect(restored.Users?.map((user) => user.UserId)).toEqual(['killed-user']);
    ec2.destroy();
    const sm2 = client(second.endpoint);
    await expect
      .poll(async () => (await sm2.send(new GetSecretValueCommand({ SecretId: 'cli/killed' }))).VersionId, {
        timeout: 45_000,
      })
      .toBe(VersionId);
    sm2.destroy();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses a bad flag with the usage text and exit code 2', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@rotor/source', '--import', 'tsx', 'src/cli.ts', '--port', 'x'],
      {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be an integer from 0 to 65535');
    expect(stderr).toContain('Usage: local-aws');
  });
});
