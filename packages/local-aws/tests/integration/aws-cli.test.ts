import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli, awsCliVersion } from '../support/aws-cli.ts';

/**
 * The aws CLI (botocore, a different SDK from the JavaScript one) against the endpoint. The wire format
 * itself is also pinned by tests/unit/http-wire.test.ts, which needs no CLI.
 */

let aws: LocalAws;
let cli: AwsCli;
let stateDir: string;
beforeAll(async () => {
  aws = await startLocalAws();
  cli = awsCli(aws, { withEndpoint: false });
  stateDir = mkdtempSync(join(tmpdir(), 'local-aws-cli-state-'));
});
afterAll(async () => {
  await aws.stop();
  cli.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

// Skipped, visibly named, only when `aws` is not on PATH.
describe.runIf(awsCliVersion !== undefined)(`aws CLI (${awsCliVersion ?? 'not installed: skipped'})`, () => {
  it('creates and reads a secret with --endpoint-url', async () => {
    const created = await cli.run([
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
    const value = await cli.run([
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
    const described = await cli.run(['secretsmanager', 'describe-secret', '--secret-id', 'cli/demo'], {
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
      environment: { STATE_DIR: stateDir },
    });
    await cli.run([
      '--endpoint-url',
      aws.endpoint,
      'secretsmanager',
      'create-secret',
      '--name',
      'cli/rotated',
      '--secret-string',
      '{"password":"old"}',
    ]);
    const rotated = await cli.run([
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
    const described = await cli.run([
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
    const missing = await cli.run([
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

  it('signs with a configured key under auth sigv4, through 127.0.0.1 or localhost; a wrong secret key is refused', async () => {
    const key = { accessKeyId: 'AKIAROTORCLI00000001', secretAccessKey: 'rotor-cli-secret-access-key-0001' };
    const signed = await startLocalAws({ auth: { mode: 'sigv4', keys: [key] } });
    const signedCli = awsCli(signed, { withEndpoint: false });
    try {
      const created = await signedCli.run([
        '--endpoint-url',
        signed.endpoint,
        'secretsmanager',
        'create-secret',
        '--name',
        'cli/signed',
        '--secret-string',
        'signed-value',
      ]);
      expect(created.code).toBe(0);
      const viaLocalhost = await signedCli.run([
        '--endpoint-url',
        `http://localhost:${signed.port}`,
        'secretsmanager',
        'get-secret-value',
        '--secret-id',
        'cli/signed',
      ]);
      expect(viaLocalhost.json.SecretString).toBe('signed-value');
      const wrong = await signedCli.run(
        [
          '--endpoint-url',
          signed.endpoint,
          'secretsmanager',
          'get-secret-value',
          '--secret-id',
          'cli/signed',
        ],
        { AWS_SECRET_ACCESS_KEY: 'not-the-secret-access-key-000001' },
      );
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('(InvalidSignatureException)');
      expect(wrong.stderr).not.toContain('signed-value');
    } finally {
      signedCli.dispose();
      await signed.stop();
    }
  });
});
