/**
 * One case: a fresh target, one real rotation through the engine's bundle with the crash planned, Secrets
 * Manager's retries (and, if the rotation failed for good, a re-drive), then the invariants.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LOCAL_CREDENTIALS, type LocalAws, type RotationRecord, startLocalAws } from '@rotor/local-aws';
import { CaseControl } from './control-dir.js';
import {
  type EndpointProcess,
  type EndpointProcessConfig,
  freePort,
  startEndpointProcess,
  writeEndpointConfig,
} from './endpoint-process.js';
import { checkInvariants } from './invariants.js';
import { type LoginLoopResult, startLoginLoop } from './login-loop.js';
import { CONTROL_DIR_VARIABLE, type CrashPoint } from './plan.js';
import type { CrashCase } from './points.js';
import type { CrashScenario, PreparedTarget } from './scenario.js';
import { readSecretVersions } from './secret-versions.js';

/** How Secrets Manager retries in the cases: a crashed attempt is followed by at most two more. */
export const CASE_ROTATION = { maxAttempts: 3, retryDelayMs: 100 } as const;
const ROTATION_TIMEOUT_MS = 180_000;

export interface CaseOutcome {
  converged: boolean;
  problems: string[];
  /** The rotation failed for good and a re-drive (same token) completed it. */
  redriven: boolean;
  durationMs: number;
  /** The calls the function made (the baseline's record). */
  control: CaseControl;
}

/** The in-process endpoint a scenario's kill and reset cases share. */
export interface ScenarioBench {
  readonly aws: LocalAws;
  readonly client: SecretsManagerClient;
  readonly scenario: CrashScenario;
  readonly workDir: string;
  nextCaseId(): string;
  close(): Promise<void>;
}

/**
 * Case ids unique across a whole run (and, by a random prefix, across runs on the same servers): scenarios build
 * user and role names from them, and several scenarios may share one server.
 */
export function caseIdGenerator(): () => string {
  const run = randomBytes(3).toString('hex').replace(/^\d/, 'r');
  let cases = 0;
  return () => `${run}${(++cases).toString(36)}`;
}

export async function openScenarioBench(
  scenario: CrashScenario,
  interceptor: string,
  workDir: string,
  nextCaseId: () => string,
): Promise<ScenarioBench> {
  const { elasticache, redshiftData } = scenario.services;
  const aws = await startLocalAws({
    rotation: { ...CASE_ROTATION },
    testMode: { functionPreload: interceptor },
    ...(elasticache
      ? {
          elasticache: {
            caches: elasticache.caches.map((cache) => ({
              replicationGroupId: cache.replicationGroupId,
              redisUrl: cache.redisUrl,
              ca: readFileSync(cache.caFile, 'utf8'),
            })),
            ...(elasticache.modifyingDelayMs ? { modifyingDelayMs: elasticache.modifyingDelayMs } : {}),
          },
        }
      : {}),
    ...(redshiftData ? { redshiftData } : {}),
  });
  const client = operatorClient(aws.endpoint);
  return {
    aws,
    client,
    scenario,
    workDir,
    nextCaseId,
    async close() {
      client.destroy();
      await aws.stop();
    },
  };
}

function operatorClient(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 2,
  });
}

/** Runs a kill or reset case (or, without a point, the baseline) on the scenario's shared endpoint. */
export async function runFunctionCase(
  bench: ScenarioBench,
  slot: number,
  point: CrashPoint | undefined,
): Promise<CaseOutcome> {
  const started = Date.now();
  const caseId = bench.nextCaseId();
  const control = new CaseControl(join(bench.workDir, caseId));
  control.writePlan(point ? { point } : {});
  const target = await bench.scenario.prepare({
    caseId,
    slot,
    endpoint: bench.aws.endpoint,
    region: bench.aws.region,
    credentials: bench.aws.credentials,
    secretsManager: bench.client,
  });
  try {
    // One function name per worker slot: registering it again ends the previous case's warm process.
    const fn = bench.aws.registerFunction({
      functionName: `crash-${slot}`,
      bundlePath: target.function.bundlePath,
      handler: target.function.handler ?? 'handler',
      timeoutSeconds: target.function.timeoutSeconds ?? 30,
      environment: { ...target.function.environment, [CONTROL_DIR_VARIABLE]: control.dir },
    });
    const loop = bench.scenario.loginThroughout
      ? startLoginLoop(bench.client, target.secretId, target)
      : undefined;
    let token = '';
    let redriven = false;
    let loopResult: LoginLoopResult | undefined;
    let record: RotationRecord | undefined;
    try {
      const started = await bench.client.send(
        new RotateSecretCommand({
          SecretId: target.secretId,
          RotationLambdaARN: fn.functionArn,
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );
      token = started.VersionId ?? '';
      record = await bench.aws.waitForRotation(target.secretId, {
        timeoutMs: ROTATION_TIMEOUT_MS,
      });
      if (record.status === 'failed') {
        // Cleanly retryable: Secrets Manager re-drives it later with the same token.
        redriven = true;
        bench.aws.secretsManager.redriveFailedRotations({
          secretId: target.secretId,
          now: Number.MAX_SAFE_INTEGER,
        });
        record = await bench.aws.waitForRotation(target.secretId, { timeoutMs: ROTATION_TIMEOUT_MS });
      }
    } finally {
      loopResult = await loop?.stop();
    }
    return await conclude({
      target,
      client: bench.client,
      token,
      control,
      point,
      loopResult,
      redriven,
      started,
      ...(record?.status !== 'succeeded' && record?.error ? { rotationError: record.error } : {}),
    });
  } finally {
    await target.cleanup?.().catch(() => undefined);
  }
}

/** Runs an endpoint-kill case: local-aws as a process, SIGKILLed at the point and started again. */
export async function runEndpointCase(
  scenario: CrashScenario,
  interceptor: string,
  workDir: string,
  caseId: string,
  point: CrashPoint,
  slot = 0,
): Promise<CaseOutcome> {
  const started = Date.now();
  const dir = mkdtempSync(join(workDir, `${caseId}-`));
  const control = new CaseControl(join(dir, 'control'));
  control.writePlan({ point });
  const config: EndpointProcessConfig = {
    port: await freePort(),
    stateFile: join(dir, 'state.json'),
    configFile: join(dir, 'config.json'),
    interceptor,
    services: scenario.services,
    functionName: 'crash-endpoint',
    fn: undefined,
    // The restarted endpoint re-drives at once; a rotation that then fails for good is re-driven soon after.
    rotation: { ...CASE_ROTATION, scheduleCheckMs: 200, redriveAfterMs: 500 },
  };
  // The function is configured once the target (and so its environment) exists: a first start without it.
  writeEndpointConfig(config);
  let endpoint: EndpointProcess = await startEndpointProcess(config);
  let client = operatorClient(endpoint.endpoint);
  let target: PreparedTarget | undefined;
  try {
    target = await scenario.prepare({
      caseId,
      slot,
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      secretsManager: client,
    });
    config.fn = {
      ...target.function,
      environment: { ...target.function.environment, [CONTROL_DIR_VARIABLE]: control.dir },
    };
    writeEndpointConfig(config);
    await endpoint.stop();
    endpoint = await startEndpointProcess(config);
    client.destroy();
    client = operatorClient(endpoint.endpoint);

    const loop = scenario.loginThroughout ? startLoginLoop(client, target.secretId, target) : undefined;
    let token = '';
    let loopResult: LoginLoopResult | undefined;
    try {
      const rotation = await client.send(
        new RotateSecretCommand({
          SecretId: target.secretId,
          RotationLambdaARN: `arn:aws:lambda:us-east-1:123456789012:function:${config.functionName}`,
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );
      token = rotation.VersionId ?? '';
      const secretId = target.secretId;
      const reached = await waitFor(
        async () => control.signalled() !== undefined || (await finished(client, secretId, token)),
        ROTATION_TIMEOUT_MS,
      );
      if (reached && control.signalled()) {
        await endpoint.kill();
        endpoint = await startEndpointProcess(config);
      }
      await waitFor(() => finished(client, secretId, token), ROTATION_TIMEOUT_MS);
    } finally {
      loopResult = await loop?.stop();
    }
    return await conclude({ target, client, token, control, point, loopResult, redriven: false, started });
  } finally {
    await target?.cleanup?.().catch(() => undefined);
    client.destroy();
    await endpoint.stop();
    rmSync(join(dir, 'state.json'), { force: true });
  }
}

async function finished(client: SecretsManagerClient, secretId: string, token: string): Promise<boolean> {
  try {
    const stages =
      (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
    const pendingElsewhere = Object.entries(stages).some(
      ([versionId, labels]) =>
        labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT') && versionId !== token,
    );
    return (
      (stages[token]?.includes('AWSCURRENT') ?? false) &&
      !pendingElsewhere &&
      !stages[token]?.includes('AWSPENDING')
    );
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** How a case that never fired its point begins its problem (the matrix may run such a case again). */
export const POINT_NOT_REACHED = 'the crash point was not reached';

async function conclude(input: {
  target: PreparedTarget;
  client: SecretsManagerClient;
  token: string;
  control: CaseControl;
  point: CrashPoint | undefined;
  loopResult: LoginLoopResult | undefined;
  redriven: boolean;
  started: number;
  /** Why the last attempt failed, when the rotation did not succeed. */
  rotationError?: string;
}): Promise<CaseOutcome> {
  const { target, client, token, control, point } = input;
  const problems: string[] = [];
  if (input.rotationError) problems.push(`the rotation failed: ${input.rotationError}`);
  if (point && !control.fired()) {
    const diverged = control.diverged();
    problems.push(
      diverged
        ? `${POINT_NOT_REACHED}: call #${diverged.expected.index} of ${diverged.expected.step} was "${diverged.found}", not "${diverged.expected.label}" as in the baseline`
        : POINT_NOT_REACHED,
    );
  }
  const versions = await readSecretVersions(client, target.secretId);
  problems.push(...(await checkInvariants({ target, versions, token, loginLoop: input.loopResult })));
  return {
    converged: problems.length === 0,
    problems,
    redriven: input.redriven,
    durationMs: Date.now() - input.started,
    control,
  };
}

export type { CrashCase };
