import { randomUUID } from 'node:crypto';
import type { FunctionHost, RegisteredFunction } from '../lambda/function-host.js';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AWSCURRENT, AWSPENDING, type SecretRecord, versionById } from './model.js';
import { nextRotationDate } from './rotation-rules.js';
import { detachStage } from './stages.js';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
/** Rotation records kept for `rotations()` (oldest dropped first); the latest per secret is always kept. */
const MAX_HISTORY = 5_000;

export type RotationStatus = 'running' | 'waiting-retry' | 'succeeded' | 'failed' | 'cancelled' | 'abandoned';

/** One RotateSecret's asynchronous run, as tests and `waitForRotation` see it. */
export interface RotationRecord {
  secretArn: string;
  secretName: string;
  /** The ClientRequestToken: the new version's id, the same on every retry. */
  clientRequestToken: string;
  /** Passed in every event, as AWS does. */
  rotationToken: string;
  functionArn: string;
  /** false for RotateImmediately=false, which runs testSecret only. */
  immediate: boolean;
  status: RotationStatus;
  attempts: number;
  startedAt: number;
  endedAt?: number;
  /** Why the last attempt failed, worded like AWS's RotationFailed event. */
  error?: string;
}

export interface RotationSettings {
  /** How many times the whole rotation runs before it is failed for good. AWS does not document its count. */
  maxAttempts: number;
  /** Pause between attempts. */
  retryDelayMs: number;
  /**
   * How often to look for secrets whose NextRotationDate has passed and rotate them, as AWS does on its
   * schedule. 0 (the library default) rotates only on RotateSecret; the CLI checks every minute.
   */
  scheduleCheckMs: number;
}

export interface RotationHost {
  secretByArn(arn: string): SecretRecord | undefined;
  /** Called after the runner changed a secret, so the state file is written. */
  changed(): void;
}

export interface RotationRunner {
  start(input: {
    secret: SecretRecord;
    fn: RegisteredFunction;
    token: string;
    immediate: boolean;
  }): RotationRecord;
  /** The latest rotation of a secret, by ARN. */
  latest(secretArn: string): RotationRecord | undefined;
  isUnfinished(secretArn: string): boolean;
  /** CancelRotateSecret: no further steps or retries. */
  cancel(secretArn: string): void;
  /** A new version was created during the rotation: AWS abandons it (CloudTrail RotationAbandoned). */
  abandon(secretArn: string): void;
  wait(secretArn: string, timeoutMs: number): Promise<RotationRecord>;
  all(): RotationRecord[];
  close(): void;
}

interface RunState {
  record: RotationRecord;
  stop?: 'cancelled' | 'abandoned';
  wake?: () => void;
  done: Promise<void>;
}

/**
 * Drives rotations the way Secrets Manager does once RotateSecret returned: invokes the function for
 * createSecret, setSecret, testSecret and finishSecret with the secret's ARN, retries the whole sequence
 * with the same token when a step fails, and on success records LastRotatedDate / NextRotationDate and
 * removes AWSPENDING from the now-current version. A failed rotation leaves AWSPENDING where it is.
 */
export function createRotationRunner(options: {
  host: RotationHost;
  functions: FunctionHost;
  settings: RotationSettings;
  logger?: LocalAwsLogger;
}): RotationRunner {
  const { host, functions, settings } = options;
  const logger = options.logger ?? silentLogger;
  const runs = new Map<string, RunState>();
  const history: RotationRecord[] = [];

  const sleep = (state: RunState, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      state.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const end = (state: RunState, status: RotationStatus) => {
    state.record.status = status;
    state.record.endedAt = Date.now();
    logger.info('Rotation ended', {
      secretArn: state.record.secretArn,
      status,
      attempts: state.record.attempts,
      error: state.record.error,
    });
  };

  /** Runs the steps once; returns why it failed, or undefined on success. */
  const attempt = async (state: RunState, fn: RegisteredFunction, attemptNumber: number) => {
    const { record } = state;
    const steps = record.immediate ? ROTATION_STEPS : (['testSecret'] as const);
    for (const step of steps) {
      if (state.stop) return undefined;
      const secret = host.secretByArn(record.secretArn);
      const version = secret ? versionById(secret, record.clientRequestToken) : undefined;
      if (
        !secret ||
        !version ||
        !(version.stages.includes(AWSPENDING) || version.stages.includes(AWSCURRENT))
      ) {
        state.stop = 'abandoned';
        return undefined;
      }
      const { record: invocation } = await functions.invoke(
        fn,
        {
          Step: step,
          SecretId: record.secretArn,
          ClientRequestToken: record.clientRequestToken,
          RotationToken: record.rotationToken,
        },
        {
          step,
          secretId: record.secretArn,
          clientRequestToken: record.clientRequestToken,
          attempt: attemptNumber,
        },
      );
      if (invocation.outcome !== 'succeeded') {
        return `Error when executing lambda ${fn.functionArn} during ${step} step: ${invocation.errorType ?? 'Error'}: ${invocation.errorMessage ?? ''}`;
      }
    }
    if (record.immediate) {
      const secret = host.secretByArn(record.secretArn);
      const version = secret ? versionById(secret, record.clientRequestToken) : undefined;
      if (!version?.stages.includes(AWSCURRENT)) {
        return `The rotation function finished without moving ${AWSCURRENT} to version ${record.clientRequestToken}`;
      }
    }
    return undefined;
  };

  const run = async (state: RunState, fn: RegisteredFunction) => {
    const { record } = state;
    const maxAttempts = record.immediate ? settings.maxAttempts : 1;
    let failure: string | undefined;
    for (let n = 1; n <= maxAttempts; n++) {
      record.attempts = n;
      record.status = 'running';
      failure = await attempt(state, fn, n);
      if (state.stop || !failure) break;
      record.error = failure;
      logger.warn('Rotation attempt failed', { secretArn: record.secretArn, attempt: n, error: failure });
      if (n < maxAttempts) {
        record.status = 'waiting-retry';
        await sleep(state, settings.retryDelayMs);
        if (state.stop) break;
      }
    }

    const secret = host.secretByArn(record.secretArn);
    if (!record.immediate && secret) {
      // The configuration test's AWSPENDING version is removed again, whatever the outcome.
      secret.versions = secret.versions.filter((version) => version.versionId !== record.clientRequestToken);
      host.changed();
    }
    if (state.stop) {
      end(state, state.stop);
      return;
    }
    if (failure) {
      end(state, 'failed');
      return;
    }
    delete record.error;
    if (secret && record.immediate) {
      const now = Date.now();
      secret.lastRotatedDate = now;
      const next = nextRotationDate(secret.rotationRules, now);
      if (next !== undefined) secret.nextRotationDate = next;
      const version = versionById(secret, record.clientRequestToken);
      // AWS removes AWSPENDING after a completed rotation, outside the function (ARL PR #145).
      if (version?.stages.includes(AWSCURRENT)) detachStage(version, AWSPENDING);
      host.changed();
    }
    end(state, 'succeeded');
  };

  return {
    start({ secret, fn, token, immediate }) {
      const record: RotationRecord = {
        secretArn: secret.arn,
        secretName: secret.name,
        clientRequestToken: token,
        rotationToken: randomUUID(),
        functionArn: fn.functionArn,
        immediate,
        status: 'running',
        attempts: 0,
        startedAt: Date.now(),
      };
      const state: RunState = { record, done: Promise.resolve() };
      // Asynchronous like AWS: RotateSecret has returned before the first step runs.
      state.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        run(state, fn).catch((error: unknown) => {
          record.error = `The local rotation runner failed: ${String(error)}`;
          end(state, 'failed');
        }),
      );
      runs.set(secret.arn, state);
      history.push(record);
      if (history.length > MAX_HISTORY) history.splice(0, history.length - MAX_HISTORY);
      logger.info('Rotation started', { secretArn: secret.arn, functionArn: fn.functionArn, immediate });
      return { ...record };
    },
    latest: (secretArn) => {
      const state = runs.get(secretArn);
      return state ? { ...state.record } : undefined;
    },
    isUnfinished: (secretArn) => {
      const status = runs.get(secretArn)?.record.status;
      return status === 'running' || status === 'waiting-retry';
    },
    cancel(secretArn) {
      const state = runs.get(secretArn);
      if (!state || state.record.endedAt !== undefined) return;
      state.stop = 'cancelled';
      state.wake?.();
    },
    abandon(secretArn) {
      const state = runs.get(secretArn);
      if (!state || state.record.endedAt !== undefined) return;
      state.stop = 'abandoned';
      state.wake?.();
    },
    async wait(secretArn, timeoutMs) {
      const state = runs.get(secretArn);
      if (!state) throw new Error(`No rotation was started for ${secretArn}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Rotation of ${secretArn} did not finish within ${timeoutMs} ms (status ${state.record.status}, attempt ${state.record.attempts})`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([state.done, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return { ...state.record };
    },
    all: () => history.map((record) => ({ ...record })),
    close() {
      for (const state of runs.values()) {
        if (state.record.endedAt === undefined) {
          state.stop = 'cancelled';
          state.wake?.();
        }
      }
    },
  };
}
