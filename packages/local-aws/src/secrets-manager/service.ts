/**
 * Secrets Manager over awsJson1_1 with AWS's version and staging-label semantics, idempotency tokens and
 * errors, plus asynchronous rotation through registered functions (see rotation.ts). This file is wiring:
 * the state lives in repository.ts, each resource's operations in operations/, the output shapes in render.ts.
 */
import type { FunctionHost } from '../lambda/function-host.js';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type JsonProtocolService } from '../service.js';
import { readStateSection } from '../state-file.js';
import { AWSCURRENT, versionWithStage } from './model.js';
import type { SecretsContext, SecretsOperation } from './operations/context.js';
import { getRandomPassword } from './operations/passwords.js';
import {
  cancelRotateSecret,
  redriveFailedRotations,
  rotateDueSecrets,
  rotateSecret,
} from './operations/rotate.js';
import {
  createSecret,
  deleteSecret,
  describeSecret,
  listSecrets,
  restoreSecret,
  tagResource,
  untagResource,
  updateSecret,
} from './operations/secrets.js';
import {
  getSecretValue,
  listSecretVersionIds,
  putSecretValue,
  updateSecretVersionStage,
} from './operations/versions.js';
import { createSecretRepository } from './repository.js';
import { createRotationRunner, type RotationRecord, type RotationSettings } from './rotation.js';

export interface SecretsManagerServiceOptions {
  region: string;
  accountId: string;
  /** Runs rotation functions; without one, RotateSecret finds no function to invoke. */
  functions?: FunctionHost;
  rotation?: Partial<RotationSettings>;
  /** JSON file the secrets are loaded from and saved to after every change. */
  stateFile?: string;
  logger?: LocalAwsLogger;
}

export interface SecretsManagerService extends JsonProtocolService {
  /** Runs an operation as if it came over the wire (not counted as an API call). */
  call(operation: string, input?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The AWSCURRENT SecretString, or undefined when the secret or its value does not exist. */
  readSecretString(secretId: string): Promise<string | undefined>;
  /** Resolves when the latest rotation of the secret succeeded or failed for good. */
  waitForRotation(secretId: string, options?: { timeoutMs?: number }): Promise<RotationRecord>;
  rotations(): RotationRecord[];
  /**
   * Starts a rotation for every secret whose NextRotationDate is at or before `now`, as AWS's schedule does
   * (the `scheduleCheckMs` timer calls this). Returns the rotations started.
   */
  rotateDueSecrets(now?: number): RotationRecord[];
  /**
   * Re-drives, with its own token, every incomplete rotation (AWSPENDING on a version that is not
   * AWSCURRENT) that is not running and has been failed for at least `redriveAfterMs` (the `scheduleCheckMs`
   * timer calls this too); `secretId` limits it to one secret. Returns the rotations re-driven.
   */
  redriveFailedRotations(options?: { now?: number; secretId?: string }): RotationRecord[];
  /**
   * Call once the endpoint serves requests: re-drives the rotations the state file says were running and
   * starts the schedule (functions call the endpoint back, so neither may begin earlier).
   */
  start(): void;
  close(): Promise<void>;
}

const OPERATIONS: Record<string, SecretsOperation> = {
  CreateSecret: createSecret,
  DescribeSecret: describeSecret,
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  UpdateSecret: updateSecret,
  UpdateSecretVersionStage: updateSecretVersionStage,
  ListSecretVersionIds: listSecretVersionIds,
  ListSecrets: listSecrets,
  DeleteSecret: deleteSecret,
  RestoreSecret: restoreSecret,
  TagResource: tagResource,
  UntagResource: untagResource,
  GetRandomPassword: getRandomPassword,
  RotateSecret: rotateSecret,
  CancelRotateSecret: cancelRotateSecret,
};

/** Every operation that is not a read saves the state file once it succeeded. */
const MUTATING = new Set(Object.keys(OPERATIONS).filter((name) => !/^(Describe|Get|List)/.test(name)));

export function createSecretsManagerService(options: SecretsManagerServiceOptions): SecretsManagerService {
  const logger = options.logger ?? silentLogger;
  const functions = options.functions;
  const redriveAfterMs = options.rotation?.redriveAfterMs ?? 60_000;
  /**
   * Every change is written when it happens (one atomic replace of the file), secrets and rotation records
   * together, so a SIGKILL loses nothing that was answered or started.
   */
  const repository = createSecretRepository({
    stateFile: options.stateFile,
    extraSections: () => (runner ? { rotations: runner.saved() } : {}),
  });
  const runner = functions
    ? createRotationRunner({
        host: {
          secretByArn: (arn) => repository.get(arn),
          resolveFunction: (arn) => functions.resolve(arn),
          changed: () => repository.persist(),
        },
        functions,
        settings: {
          maxAttempts: options.rotation?.maxAttempts ?? 3,
          retryDelayMs: options.rotation?.retryDelayMs ?? 2_000,
          scheduleCheckMs: options.rotation?.scheduleCheckMs ?? 0,
          redriveAfterMs,
        },
        logger,
      })
    : undefined;
  if (runner && options.stateFile) {
    // Rotations the previous run of the endpoint left unfinished are re-driven, as AWS would carry on.
    runner.restore(readStateSection<RotationRecord[]>(options.stateFile, 'rotations') ?? []);
  }
  const context: SecretsContext = {
    region: options.region,
    accountId: options.accountId,
    repository,
    runner,
    functions,
    logger,
  };

  const call = async (operation: string, input: Record<string, unknown> = {}) => {
    const handler = OPERATIONS[operation];
    if (!handler) {
      throw new AwsApiError(
        'UnknownOperationException',
        `The local Secrets Manager does not implement ${operation}. Implemented: ${Object.keys(OPERATIONS).join(', ')}.`,
      );
    }
    const now = Date.now();
    repository.purgeExpired(now);
    const output = handler(context, input, now);
    if (MUTATING.has(operation)) repository.persist();
    return output;
  };

  const reportedDue = new Map<string, number>();
  const dueNow = (now = Date.now()) => rotateDueSecrets(context, reportedDue, now);
  const redriveNow = (redrive: { now?: number; secretId?: string } = {}) =>
    redriveFailedRotations(context, {
      now: redrive.now ?? Date.now(),
      secretId: redrive.secretId,
      redriveAfterMs,
    });

  const scheduleCheckMs = options.rotation?.scheduleCheckMs ?? 0;
  let scheduleTimer: NodeJS.Timeout | undefined;

  return {
    protocol: 'awsJson1_1',
    serviceName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    handle: (operation, input) => call(operation, input),
    call,
    async readSecretString(secretId) {
      const secret = repository.find(secretId);
      if (!secret || secret.deletedDate !== undefined) return undefined;
      return versionWithStage(secret, AWSCURRENT)?.secretString;
    },
    async waitForRotation(secretId, waitOptions = {}) {
      const secret = repository.find(secretId);
      if (!secret) throw new Error(`No secret ${secretId}`);
      if (!runner) throw new Error('No rotation function host is configured');
      return runner.wait(secret.arn, waitOptions.timeoutMs ?? 60_000);
    },
    rotations: () => runner?.all() ?? [],
    rotateDueSecrets: dueNow,
    redriveFailedRotations: redriveNow,
    start() {
      runner?.begin();
      if (scheduleTimer || scheduleCheckMs <= 0) return;
      scheduleTimer = setInterval(() => {
        redriveNow();
        dueNow();
      }, scheduleCheckMs);
      scheduleTimer.unref();
    },
    async close() {
      if (scheduleTimer) clearInterval(scheduleTimer);
      runner?.close();
      repository.persist();
    },
  };
}
