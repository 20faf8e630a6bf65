import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  createRotationStepRunner,
  createSecretsManagerStore,
  ROTATION_STEPS,
  type RotationStep,
  type RotorLogger,
  type SecretStore,
  type StrategyChoice,
} from '@rotor/core';
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import { UsageError } from './exit-codes.js';

export interface RotateRunOptions {
  secretId: string;
  engine: RotationEngine<EngineSecret>;
  strategy?: StrategyChoice | undefined;
  /** Begin a new rotation (a new AWSPENDING version) when none is pending. */
  start: boolean;
  /** Resume (or, with `start`, begin) this version id. */
  token?: string | undefined;
  /** Run although DescribeSecret says rotation is not enabled (only this process's pre-check is relaxed). */
  ignoreRotationDisabled: boolean;
  client: SecretsManagerClient;
  logger: RotorLogger;
  onStepStart?(step: RotationStep): void;
  onStepEnd?(report: StepReport): void;
}

export interface StepReport {
  step: RotationStep;
  /** `done`; `already-finished` when the version was already AWSCURRENT; `failed`. */
  result: 'done' | 'already-finished' | 'failed';
  durationMs: number;
  error?: { code: string; message: string; retryable: boolean };
}

export interface RotateRunResult {
  secretArn: string;
  versionId: string;
  /** `started`: this run created the pending version; `resumed`: it was already pending. */
  mode: 'started' | 'resumed';
  steps: StepReport[];
  succeeded: boolean;
}

/** No rotation is pending and `--start` was not given: nothing to run. */
export class NothingPendingError extends UsageError {}

/**
 * Runs the four rotation steps in this process, as the rotation Lambda would for one RotateSecret: the same core
 * step runner and engine, against the real Secrets Manager (or the local endpoint). It resumes the pending
 * version when there is one; with `start` it first creates one the way RotateSecret does.
 */
export async function runRotationInProcess(options: RotateRunOptions): Promise<RotateRunResult> {
  const { client, secretId } = options;
  const description = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const arn = description.ARN ?? secretId;
  const stages = description.VersionIdsToStages ?? {};
  const currentVersion = Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'));
  const pendingVersion = Object.keys(stages).find(
    (id) => stages[id]?.includes('AWSPENDING') && id !== currentVersion,
  );

  let versionId: string;
  let mode: RotateRunResult['mode'];
  if (options.token) {
    if (stages[options.token]?.includes('AWSPENDING')) {
      versionId = options.token;
      mode = 'resumed';
    } else if (stages[options.token]) {
      throw new UsageError(
        `Version ${options.token} of ${description.Name ?? secretId} is not AWSPENDING (its stages: ${stages[options.token]?.join(', ')})`,
      );
    } else if (options.start) {
      assertNoOtherPending(pendingVersion, description.Name ?? secretId);
      versionId = options.token;
      mode = 'started';
    } else {
      throw new UsageError(
        `Version ${options.token} does not exist; pass --start to begin a rotation with that version id`,
      );
    }
  } else if (pendingVersion) {
    if (options.start) assertNoOtherPending(pendingVersion, description.Name ?? secretId);
    versionId = pendingVersion;
    mode = 'resumed';
  } else if (options.start) {
    versionId = randomUUID();
    mode = 'started';
  } else {
    throw new NothingPendingError(
      `No rotation is pending for ${description.Name ?? secretId}. Pass --start to begin one here the way RotateSecret ` +
        'does (a new AWSPENDING version that createSecret fills), or start it in Secrets Manager: ' +
        `aws secretsmanager rotate-secret --secret-id ${description.Name ?? secretId}`,
    );
  }

  const store = presentPendingVersion(createSecretsManagerStore({ client }), {
    versionId: mode === 'started' ? versionId : undefined,
    ignoreRotationDisabled: options.ignoreRotationDisabled,
  });
  const runStep = createRotationStepRunner({
    engine: options.engine,
    store,
    logger: options.logger,
    ...(options.strategy ? { strategy: options.strategy } : {}),
  });

  const steps: StepReport[] = [];
  for (const step of ROTATION_STEPS) {
    options.onStepStart?.(step);
    const started = performance.now();
    try {
      const outcome = await runStep({ Step: step, SecretId: arn, ClientRequestToken: versionId });
      const report: StepReport = { step, result: outcome.result, durationMs: performance.now() - started };
      steps.push(report);
      options.onStepEnd?.(report);
    } catch (error) {
      const failure = error as { code?: string; message?: string; retryable?: boolean };
      const report: StepReport = {
        step,
        result: 'failed',
        durationMs: performance.now() - started,
        error: {
          code: failure.code ?? 'UNKNOWN',
          message: failure.message ?? String(error),
          retryable: failure.retryable ?? false,
        },
      };
      steps.push(report);
      options.onStepEnd?.(report);
      return { secretArn: arn, versionId, mode, steps, succeeded: false };
    }
  }
  // Secrets Manager removes AWSPENDING from the new current version once the function returns; so do we.
  await client.send(
    new UpdateSecretVersionStageCommand({
      SecretId: arn,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: versionId,
    }),
  );
  return { secretArn: arn, versionId, mode, steps, succeeded: true };
}

function assertNoOtherPending(pendingVersion: string | undefined, name: string): void {
  if (pendingVersion) {
    throw new UsageError(
      `A rotation is already pending for ${name} on version ${pendingVersion}; run without --start to resume it ` +
        '(RotateSecret would refuse to start another one too)',
    );
  }
}

/**
 * RotateSecret creates an empty AWSPENDING version before the first step; the public API cannot, so until
 * createSecret's PutSecretValue creates it, DescribeSecret is shown with that version already labelled. Nothing
 * else about the store changes.
 */
function presentPendingVersion(
  store: SecretStore,
  options: { versionId: string | undefined; ignoreRotationDisabled: boolean },
): SecretStore {
  return {
    ...store,
    async describe(secretId) {
      const description = await store.describe(secretId);
      const versionStages = { ...description.versionStages };
      if (options.versionId && !versionStages[options.versionId]) {
        versionStages[options.versionId] = ['AWSPENDING'];
      }
      return {
        ...description,
        versionStages,
        rotationEnabled: options.ignoreRotationDisabled ? true : description.rotationEnabled,
      };
    },
  };
}
