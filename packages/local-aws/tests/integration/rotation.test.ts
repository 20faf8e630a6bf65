import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type InvocationRecord, type LocalAws, startLocalAws } from '@rotor/local-aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sdkError, secretsManagerClient, token } from '../support/clients.ts';

/**
 * RotateSecret end to end: a real rotation bundle (tests/fixtures/rotation-function.mjs) runs in a child
 * process, reaches the endpoint through AWS_ENDPOINT_URL with the real SDK, and moves the labels itself.
 */
const bundlePath = fileURLToPath(new URL('../fixtures/rotation-function.mjs', import.meta.url));

let aws: LocalAws;
let sm: SecretsManagerClient;
let stateDir: string;
let counter = 0;

beforeAll(async () => {
  aws = await startLocalAws({ rotation: { maxAttempts: 3, retryDelayMs: 50 } });
  sm = secretsManagerClient(aws);
});
afterAll(async () => {
  sm.destroy();
  await aws.stop();
});
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'local-aws-rotation-'));
  aws.clearInvocations();
  return () => rmSync(stateDir, { recursive: true, force: true });
});

/** Registers the fixture under a fresh name with the given behaviour switches. */
function registerFixture(environment: Record<string, string> = {}, timeoutSeconds = 10): string {
  const functionName = `rotate-${++counter}`;
  return aws.registerFunction({
    functionName,
    bundlePath,
    timeoutSeconds,
    environment: { STATE_DIR: stateDir, ...environment },
  }).functionArn;
}

async function newSecret(value = { username: 'app', password: 'initial-password' }) {
  const name = `rotation/secret-${++counter}`;
  const created = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify(value),
      ClientRequestToken: token(`init${counter}`),
    }),
  );
  return { name, arn: created.ARN!, initialVersion: created.VersionId! };
}

const logLines = (invocation: InvocationRecord) =>
  invocation.logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('RotateSecret with a registered rotation function', () => {
  it('creates an empty AWSPENDING version, runs the four steps with the ARN, and records the rotation', async () => {
    const functionArn = registerFixture({ CUSTOM_SETTING: 'from-function-config' });
    const { name, arn, initialVersion } = await newSecret();
    const rotationToken = token('rot1');
    const started = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        ClientRequestToken: rotationToken,
      }),
    );
    expect(started).toMatchObject({ ARN: arn, Name: name, VersionId: rotationToken });
    // RotateSecret returns before the function ran: the new version exists, labelled AWSPENDING.
    const during = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(during.Versions?.find((v) => v.VersionId === rotationToken)?.VersionStages).toEqual([
      'AWSPENDING',
    ]);

    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ status: 'succeeded', attempts: 1, clientRequestToken: rotationToken });

    const secret = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(secret.VersionIdsToStages).toEqual({
      [rotationToken]: ['AWSCURRENT'],
      [initialVersion]: ['AWSPREVIOUS'],
    });
    expect(secret.RotationEnabled).toBe(true);
    expect(secret.RotationLambdaARN).toBe(functionArn);
    expect(secret.RotationRules).toEqual({ AutomaticallyAfterDays: 30 });
    expect(Math.abs(secret.LastRotatedDate!.getTime() - Date.now())).toBeLessThan(30_000);
    const days = (secret.NextRotationDate!.getTime() - secret.LastRotatedDate!.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(30, 5);
    const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!);
    expect(value.username).toBe('app');
    expect(value.password).not.toBe('initial-password');

    const invocations = aws.invocations();
    expect(invocations.map((i) => [i.step, i.outcome])).toEqual([
      ['createSecret', 'succeeded'],
      ['setSecret', 'succeeded'],
      ['testSecret', 'succeeded'],
      ['finishSecret', 'succeeded'],
    ]);
    const events = invocations.map((i) => logLines(i)[0]!);
    for (const event of events) {
      expect(event).toMatchObject({
        secretId: arn,
        token: rotationToken,
        hasRotationToken: true,
        endpoint: aws.endpoint,
        smEndpoint: aws.endpoint,
        region: 'us-east-1',
        custom: 'from-function-config',
      });
      expect(event.remainingMs).toBeGreaterThan(5_000);
      expect(event.remainingMs).toBeLessThanOrEqual(10_000);
    }
    // Outside the endpoint's process; one cold start, then the warm process is reused as Lambda reuses a container.
    expect(new Set(events.map((e) => e.pid)).size).toBe(1);
    expect(events[0]!.pid).not.toBe(process.pid);
    expect(invocations.map((i) => i.coldStart)).toEqual([true, false, false, false]);
    expect(invocations[0]!.initDurationMs).toBeGreaterThan(0);
    expect(invocations[1]!.initDurationMs).toBe(0);
  });

  it('retries the whole rotation with the same token after a failed step', async () => {
    const functionArn = registerFixture({ FAIL_STEP: 'setSecret', FAIL_TIMES: '1' });
    const { name } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(aws.invocations().map((i) => [i.attempt, i.step, i.outcome])).toEqual([
      [1, 'createSecret', 'succeeded'],
      [1, 'setSecret', 'failed'],
      [2, 'createSecret', 'succeeded'],
      [2, 'setSecret', 'succeeded'],
      [2, 'testSecret', 'succeeded'],
      [2, 'finishSecret', 'succeeded'],
    ]);
    expect(aws.invocations()[1]).toMatchObject({
      errorType: 'Error',
      errorMessage: 'planned failure in setSecret',
    });
    expect(new Set(aws.invocations().map((i) => i.clientRequestToken))).toEqual(new Set([VersionId]));
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;
    expect(stages?.[VersionId!]).toEqual(['AWSCURRENT']);
  });

  it('leaves AWSPENDING in place when every attempt fails, and then refuses a new rotation', async () => {
    const functionArn = registerFixture({ FAIL_STEP: 'testSecret', FAIL_TIMES: '99' });
    const { name, initialVersion } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.attempts).toBe(3);
    expect(outcome.error).toBe(
      `Error when executing lambda ${functionArn} during testSecret step: Error: planned failure in testSecret`,
    );
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.VersionIdsToStages).toEqual({
      [initialVersion]: ['AWSCURRENT'],
      [VersionId!]: ['AWSPENDING'],
    });
    expect(secret.LastRotatedDate).toBeUndefined();
    // createSecret filled the pending version before testSecret failed.
    const pending = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }));
    expect(JSON.parse(pending.SecretString!).password).toMatch(/^[0-9a-f]{24}$/);

    const again = await sdkError(sm.send(new RotateSecretCommand({ SecretId: name })));
    expect(again).toMatchObject({
      name: 'InvalidRequestException',
      message: "A previous rotation isn't complete. That rotation will be reattempted.",
    });
  });

  it('re-drives a failed rotation with its own token once redriveAfterMs has passed, not before', async () => {
    const functionArn = registerFixture({ FAIL_STEP: 'setSecret', FAIL_TIMES: '3' });
    const { name, arn } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    expect(await aws.waitForRotation(name, { timeoutMs: 20_000 })).toMatchObject({
      status: 'failed',
      drives: 1,
    });
    expect(aws.secretsManager.redriveFailedRotations({ secretId: arn })).toEqual([]);
    const redriven = aws.secretsManager.redriveFailedRotations({ secretId: arn, now: Date.now() + 61_000 });
    expect(redriven).toHaveLength(1);
    expect(redriven[0]).toMatchObject({ clientRequestToken: VersionId, drives: 2 });
    expect(await aws.waitForRotation(name, { timeoutMs: 20_000 })).toMatchObject({
      status: 'succeeded',
      clientRequestToken: VersionId,
    });
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;
    expect(stages?.[VersionId!]).toEqual(['AWSCURRENT']);
  });

  it('abandons a rotation when another tool puts a new AWSPENDING version during it', async () => {
    const functionArn = registerFixture({ SLEEP_STEP: 'setSecret', SLEEP_MS: '1000' });
    const { name, initialVersion } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    await expect.poll(() => aws.invocations().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: '{"username":"app","password":"from-another-tool"}',
        ClientRequestToken: token('othertool'),
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect((await aws.waitForRotation(name, { timeoutMs: 20_000 })).status).toBe('abandoned');
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
    expect(stages).toEqual({ [initialVersion]: ['AWSCURRENT'], [token('othertool')]: ['AWSPENDING'] });
    expect(stages[VersionId!]).toBeUndefined();
    expect(aws.invocations().map((i) => i.step)).toEqual(['createSecret', 'setSecret']);
  });

  it('refuses a second RotateSecret while the first is still running, and repeats the same request idempotently', async () => {
    const functionArn = registerFixture({ SLEEP_STEP: 'setSecret', SLEEP_MS: '800' });
    const { name } = await newSecret();
    const first = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        ClientRequestToken: token('first'),
      }),
    );
    const repeat = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        ClientRequestToken: token('first'),
      }),
    );
    expect(repeat.VersionId).toBe(first.VersionId);
    const second = await sdkError(
      sm.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token('second') })),
    );
    expect(second.name).toBe('InvalidRequestException');
    expect((await aws.waitForRotation(name, { timeoutMs: 20_000 })).status).toBe('succeeded');
    // Finished: a new rotation may start, and AWSPENDING was cleaned off the current version.
    await sm.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token('third') }));
    expect((await aws.waitForRotation(name, { timeoutMs: 20_000 })).status).toBe('succeeded');
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;
    expect(stages).toEqual({ [token('third')]: ['AWSCURRENT'], [token('first')]: ['AWSPREVIOUS'] });
  });

  it('kills an invocation at its timeout, as Lambda does, with getRemainingTimeInMillis counting down to it', async () => {
    const functionArn = registerFixture({ SLEEP_STEP: 'createSecret', SLEEP_MS: '20000' }, 1);
    const { name } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toContain(
      'during createSecret step: Sandbox.Timedout: Task timed out after 1.00 seconds',
    );
    const invocations = aws.invocations();
    expect(invocations).toHaveLength(3);
    for (const invocation of invocations) {
      expect(invocation).toMatchObject({ step: 'createSecret', outcome: 'timeout' });
      expect(invocation.durationMs).toBeGreaterThanOrEqual(1_000);
      expect(invocation.durationMs).toBeLessThan(5_000);
      const [line] = logLines(invocation);
      expect(line!.remainingMs).toBeLessThanOrEqual(1_000);
      expect(line!.remainingMs).toBeGreaterThan(0);
      // The process is gone.
      expect(() => process.kill(line!.pid as number, 0)).toThrow(/ESRCH/);
    }
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;
    expect(stages?.[VersionId!]).toEqual(['AWSPENDING']);
    // Nothing was written to the pending version.
    expect(
      (await sdkError(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))))
        .name,
    ).toBe('ResourceNotFoundException');
  });

  it('counts a function that never moves AWSCURRENT as a failed rotation', async () => {
    const functionArn = registerFixture({ SKIP_FINISH: '1' });
    const { name } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 30_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe(
      `The rotation function finished without moving AWSCURRENT to version ${VersionId}`,
    );
  });

  it('RotateImmediately=false runs only testSecret on a copy of the current value and removes it again', async () => {
    const functionArn = registerFixture();
    const { name, initialVersion } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotateImmediately: false,
        RotationRules: { ScheduleExpression: 'rate(10 days)' },
      }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ status: 'succeeded', immediate: false });
    expect(aws.invocations().map((i) => i.step)).toEqual(['testSecret']);
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.VersionIdsToStages).toEqual({ [initialVersion]: ['AWSCURRENT'] });
    expect(secret.RotationEnabled).toBe(true);
    expect(secret.LastRotatedDate).toBeUndefined();
    expect((secret.NextRotationDate!.getTime() - Date.now()) / 86_400_000).toBeCloseTo(10, 2);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(all.Versions?.map((v) => v.VersionId)).not.toContain(VersionId);
  });

  it('CancelRotateSecret stops the retries, turns rotation off and returns the pending version', async () => {
    // Its own endpoint, with retries far apart, so the rotation sits in 'waiting-retry' when cancelled.
    const slow = await startLocalAws({ rotation: { maxAttempts: 5, retryDelayMs: 60_000 } });
    const slowSm = secretsManagerClient(slow);
    try {
      slow.registerFunction({
        functionName: 'never-works',
        bundlePath,
        environment: { STATE_DIR: stateDir, FAIL_STEP: 'createSecret', FAIL_TIMES: '99' },
      });
      await slowSm.send(new CreateSecretCommand({ Name: 'cancel-me', SecretString: '{}' }));
      const { VersionId } = await slowSm.send(
        new RotateSecretCommand({ SecretId: 'cancel-me', RotationLambdaARN: 'never-works' }),
      );
      await expect.poll(() => slow.rotations()[0]?.status, { timeout: 15_000 }).toBe('waiting-retry');
      const cancelled = await slowSm.send(new CancelRotateSecretCommand({ SecretId: 'cancel-me' }));
      expect(cancelled.VersionId).toBe(VersionId);
      const outcome = await slow.waitForRotation('cancel-me', { timeoutMs: 5_000 });
      expect(outcome).toMatchObject({ status: 'cancelled', attempts: 1 });
      const secret = await slowSm.send(new DescribeSecretCommand({ SecretId: 'cancel-me' }));
      expect(secret.RotationEnabled).toBe(false);
      expect(secret.VersionIdsToStages?.[VersionId!]).toEqual(['AWSPENDING']);
      expect(slow.invocations()).toHaveLength(1);
    } finally {
      slowSm.destroy();
      await slow.stop();
    }
  });

  it('abandons a rotation when a new current version is put during it, removing AWSPENDING', async () => {
    const functionArn = registerFixture({ SLEEP_STEP: 'setSecret', SLEEP_MS: '1000' });
    const { name } = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }),
    );
    await expect.poll(() => aws.invocations().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: '{"manual":true}',
        ClientRequestToken: token('manual'),
      }),
    );
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome.status).toBe('abandoned');
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
    expect(stages[token('manual')]).toEqual(['AWSCURRENT']);
    expect(stages[VersionId!]).toBeUndefined();
    expect(aws.invocations().map((i) => i.step)).toEqual(['createSecret', 'setSecret']);
  });

  it('rotates several secrets at once through one function, in parallel processes like concurrent Lambdas', async () => {
    const functionArn = registerFixture();
    const secrets = await Promise.all([1, 2, 3, 4, 5, 6].map(() => newSecret()));
    await Promise.all(
      secrets.map(({ name }) =>
        sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn })),
      ),
    );
    const outcomes = await Promise.all(
      secrets.map(({ name }) => aws.waitForRotation(name, { timeoutMs: 30_000 })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(secrets.map(() => 'succeeded'));
    for (const { arn } of secrets) {
      const steps = aws.invocations().filter((i) => i.secretId === arn);
      expect(steps.map((i) => i.step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    }
    const pids = new Set(aws.invocations().flatMap((i) => logLines(i).map((line) => line.pid)));
    expect(pids.size).toBeGreaterThan(1);
  });

  it('re-drives a rotation that was running when the endpoint stopped, from its state file, with the same token', async () => {
    const stateFile = join(stateDir, 'state.json');
    const fixture = {
      functionName: 'restart-fixture',
      bundlePath,
      timeoutSeconds: 10,
      environment: { STATE_DIR: stateDir, SLEEP_STEP: 'testSecret', SLEEP_MS: '1500' },
    };
    const first = await startLocalAws({
      stateFile,
      functions: [fixture],
      rotation: { maxAttempts: 2, retryDelayMs: 50 },
    });
    const firstClient = secretsManagerClient(first);
    const created = await firstClient.send(
      new CreateSecretCommand({ Name: 'restart/me', SecretString: '{"username":"a","password":"p0"}' }),
    );
    const { VersionId } = await firstClient.send(
      new RotateSecretCommand({ SecretId: 'restart/me', RotationLambdaARN: 'restart-fixture' }),
    );
    await expect
      .poll(() => first.invocations().map((i) => i.step), { timeout: 15_000 })
      .toEqual(['createSecret', 'setSecret']);
    firstClient.destroy();
    await first.stop();

    const second = await startLocalAws({
      stateFile,
      functions: [fixture],
      rotation: { maxAttempts: 2, retryDelayMs: 50 },
    });
    try {
      const outcome = await second.waitForRotation('restart/me', { timeoutMs: 20_000 });
      expect(outcome).toMatchObject({ status: 'succeeded', clientRequestToken: VersionId, drives: 2 });
      expect(second.invocations().map((i) => [i.step, i.clientRequestToken])).toEqual(
        ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((step) => [step, VersionId]),
      );
      const secondClient = secretsManagerClient(second);
      const stages = (await secondClient.send(new DescribeSecretCommand({ SecretId: created.ARN })))
        .VersionIdsToStages;
      expect(stages?.[VersionId!]).toEqual(['AWSCURRENT']);
      secondClient.destroy();
    } finally {
      await second.stop();
    }
  });

  it('rotates on schedule once NextRotationDate has passed, and not before', async () => {
    const functionArn = registerFixture();
    const { name, arn, initialVersion } = await newSecret();
    await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotateImmediately: false,
        RotationRules: { AutomaticallyAfterDays: 1 },
      }),
    );
    await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(aws.secretsManager.rotateDueSecrets().filter((r) => r.secretArn === arn)).toEqual([]);

    const started = aws.secretsManager
      .rotateDueSecrets(Date.now() + 2 * 86_400_000)
      .filter((r) => r.secretArn === arn);
    expect(started).toHaveLength(1);
    const outcome = await aws.waitForRotation(name, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ status: 'succeeded', immediate: true });
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.VersionIdsToStages).toEqual({
      [outcome.clientRequestToken]: ['AWSCURRENT'],
      [initialVersion]: ['AWSPREVIOUS'],
    });
    expect((secret.NextRotationDate!.getTime() - secret.LastRotatedDate!.getTime()) / 86_400_000).toBeCloseTo(
      1,
      5,
    );
  });

  it('refuses RotateSecret without a function, or with a function that is not registered', async () => {
    const { name } = await newSecret();
    expect(await sdkError(sm.send(new RotateSecretCommand({ SecretId: name })))).toMatchObject({
      name: 'InvalidRequestException',
      message: 'No Lambda rotation function ARN is associated with this secret.',
    });
    const unknown = await sdkError(
      sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:nope',
        }),
      ),
    );
    expect(unknown.name).toBe('AccessDeniedException');
    const bad = await sdkError(
      sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: registerFixture(),
          RotationRules: { AutomaticallyAfterDays: 0 },
        }),
      ),
    );
    expect(bad.name).toBe('InvalidParameterException');
    // Nothing was written by the refused calls.
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.RotationEnabled).toBeUndefined();
    expect(Object.keys(secret.VersionIdsToStages ?? {})).toHaveLength(1);
    expect(aws.invocations()).toEqual([]);
  });
});
