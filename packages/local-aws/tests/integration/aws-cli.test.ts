import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/index.ts';

/**
 * The aws CLI (botocore, a different SDK from the JavaScript one) against the endpoint. The wire format
 * itself is also pinned by tests/unit/http-wire.test.ts, which needs no CLI.
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

let aws: LocalAws;
let home: string;
beforeAll(async () => {
  aws = await startLocalAws();
  // An empty HOME and config, so no profile or real credentials of the machine take part.
  home = mkdtempSync(join(tmpdir(), 'local-aws-cli-'));
  writeFileSync(join(home, 'config'), '');
});
afterAll(async () => {
  await aws.stop();
  rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
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
    ...extraEnv,
  };
  try {
    const { stdout } = await run('aws', ['--output', 'json', ...args], { env, timeout: 30_000 });
    return {
      code: 0,
      json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {},
      stderr: '',
    };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, json: {}, stderr: e.stderr ?? '' };
  }
}

// Skipped, visibly named, only when `aws` is not on PATH.
describe.runIf(version !== undefined)(`aws CLI (${version ?? 'not installed: skipped'})`, () => {
  it('creates and reads a secret with --endpoint-url', async () => {
    const created = await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'create-secret',
      '--name',
      'cli/demo',
      '--secret-string',
      '{"password":"x"}',
    ]);
    expect(created.code).toBe(0);
    expect(created.json.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:cli\/demo-[A-Za-z0-9]{6}$/,
    );
    const value = await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'cli/demo',
    ]);
    expect(value.json).toMatchObject({ SecretString: '{"password":"x"}', VersionStages: ['AWSCURRENT'] });
    expect(typeof value.json.CreatedDate).toBe('number');
  });

  it('honours AWS_ENDPOINT_URL, as rotation functions rely on', async () => {
    const described = await cli(['secretsmanager', 'describe-secret', '--secret-id', 'cli/demo'], {
      AWS_ENDPOINT_URL: aws.endpoint,
    });
    expect(described.code).toBe(0);
    expect(Object.values(described.json.VersionIdsToStages as Record<string, string[]>)).toEqual([
      ['AWSCURRENT'],
    ]);
  });

  it('rotates a secret with rotate-secret, as the README shows', async () => {
    const fn = aws.registerFunction({
      functionName: 'cli-rotation',
      bundlePath: fileURLToPath(new URL('../fixtures/rotation-function.mjs', import.meta.url)),
      environment: { STATE_DIR: home },
    });
    await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'create-secret',
      '--name',
      'cli/rotated',
      '--secret-string',
      '{"password":"old"}',
    ]);
    const rotated = await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'rotate-secret',
      '--secret-id',
      'cli/rotated',
      '--rotation-lambda-arn',
      fn.functionArn,
      '--rotation-rules',
      'AutomaticallyAfterDays=30',
    ]);
    expect(rotated.code).toBe(0);
    // botocore fills ClientRequestToken with a UUID, which becomes the new version.
    expect(rotated.json.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await aws.waitForRotation('cli/rotated', { timeoutMs: 20_000 })).status).toBe('succeeded');
    const described = await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      'cli/rotated',
    ]);
    expect(described.json.RotationEnabled).toBe(true);
    expect(described.json.RotationRules).toEqual({ AutomaticallyAfterDays: 30 });
    expect(
      (described.json.VersionIdsToStages as Record<string, string[]>)[rotated.json.VersionId as string],
    ).toEqual(['AWSCURRENT']);
  });

  it('shows AWS error codes and messages, with a failing exit code', async () => {
    const missing = await cli([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'cli/none',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret.",
    );
  });
});
