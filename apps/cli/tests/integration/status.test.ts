import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { runCli } from '../../src/program.js';
import type { SecretStatus } from '../../src/secret-status.js';
import { capturedIo } from '../unit/support/captured-io.js';

let aws: LocalAws;
let client: SecretsManagerClient;

beforeAll(async () => {
  aws = await startLocalAws({ rotation: { maxAttempts: 1, retryDelayMs: 10 } });
  client = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
});

afterAll(async () => {
  client?.destroy();
  await aws?.stop();
});

async function status(...args: string[]) {
  const io = capturedIo();
  const code = await runCli(['status', ...args, '--endpoint', aws.endpoint], { io });
  return { code, out: io.out(), err: io.err() };
}

describe('rotor status against the local endpoint', () => {
  it('shows a settled secret as OK with its versions, and reads no secret value', async () => {
    // Prepare
    await client.send(
      new CreateSecretCommand({
        Name: 'cli/settled',
        SecretString: JSON.stringify({ username: 'u', password: 'p-settled-1' }),
      }),
    );
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'cli/settled',
        SecretString: JSON.stringify({ username: 'u', password: 'p-settled-2' }),
      }),
    );
    aws.resetApiCalls();

    // Act
    const { code, out } = await status('cli/settled');

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(out).toContain('Secret         cli/settled');
    expect(out).toMatch(/AWSCURRENT/);
    expect(out).toMatch(/AWSPREVIOUS/);
    expect(out).toContain('State          OK');
    expect(out).not.toContain('p-settled');
    expect(aws.apiCalls().secretsmanager?.GetSecretValue ?? 0).toBe(0);
  });

  it('exits 3 and says what to do when AWSPENDING sits on a version that is not AWSCURRENT', async () => {
    // Prepare: a rotation whose function does not exist fails for good and leaves AWSPENDING behind
    await client.send(
      new CreateSecretCommand({ Name: 'cli/stuck', SecretString: '{"username":"u","password":"x"}' }),
    );
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'cli/stuck',
        ClientRequestToken: 'pending-version-000000000000000000001',
        SecretString: '{"username":"u","password":"y"}',
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Act
    const text = await status('cli/stuck', '--stuck-after', '0');
    const json = await status('cli/stuck', '--stuck-after', '0', '--json');

    // Assess
    expect(text.code).toBe(EXIT_CODES.unhealthy);
    expect(text.out).toContain('State          STUCK');
    expect(text.out).toContain('--remove-from-version-id pending-version-000000000000000000001');
    expect(json.code).toBe(EXIT_CODES.unhealthy);
    const parsed = JSON.parse(json.out) as SecretStatus;
    expect(parsed.state).toBe('stuck');
    expect(parsed.pending?.versionId).toBe('pending-version-000000000000000000001');
    expect(parsed.pending?.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it('calls a young pending version a rotation in progress (exit 0)', async () => {
    const { code, out } = await status('cli/stuck');
    expect(code).toBe(EXIT_CODES.ok);
    expect(out).toContain('State          ROTATING');
  });

  it('reports a rotation whose function failed as stuck, with the configuration RotateSecret stored', async () => {
    // Prepare: a rotation function that fails at createSecret, so AWSPENDING stays on the empty new version
    const dir = await mkdtemp(join(tmpdir(), 'rotor-cli-'));
    const bundlePath = join(dir, 'failing.mjs');
    await writeFile(
      bundlePath,
      "export const handler = async () => { throw new Error('createSecret exploded'); };\n",
    );
    const fn = aws.registerFunction({ functionName: 'always-fails', bundlePath });
    await client.send(
      new CreateSecretCommand({ Name: 'cli/failed', SecretString: '{"username":"u","password":"x"}' }),
    );
    const started = await client.send(
      new RotateSecretCommand({
        SecretId: 'cli/failed',
        RotationLambdaARN: fn.functionArn,
        RotationRules: { AutomaticallyAfterDays: 7 },
      }),
    );
    const rotation = await aws.waitForRotation('cli/failed');
    await rm(dir, { recursive: true, force: true });

    // Act
    const { code, out } = await status('cli/failed', '--json', '--stuck-after', '0');

    // Assess
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toContain('createSecret');
    expect(code).toBe(EXIT_CODES.unhealthy);
    const parsed = JSON.parse(out) as SecretStatus;
    expect(parsed.state).toBe('stuck');
    expect(parsed.pending?.versionId).toBe(started.VersionId);
    expect(parsed.rotation).toMatchObject({
      enabled: true,
      functionArn: fn.functionArn,
      schedule: 'every 7 days',
    });
  });

  it('exits 1 with the AWS error for a secret that does not exist', async () => {
    const { code, err } = await status('cli/missing');
    expect(code).toBe(EXIT_CODES.failure);
    expect(err).toContain('ResourceNotFoundException');
  });
});
