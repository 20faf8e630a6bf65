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
  /** The ClientRequestToken: the new version's id, the same on every retry and re-drive. */
  clientRequestToken: string;
  /** Passed in every event, as AWS does. */
  rotationToken: string;
  functionArn: string;
  /** false for RotateImmediately=false, which runs testSecret only. */
  immediate: boolean;
  status: RotationStatus;
  /** Attempts of the current drive (reset when the rotation is re-driven). */
  attempts: number;
  /** How many times the rotation was driven: 1, then one more per re-drive (after a restart or a failure). */
  drives: number;
  startedAt: number;
  endedAt?: number;
  /** Why the last attempt failed, worded like AWS's RotationFailed event. */
  error?: string;
}

export interface RotationSettings {
  /** How many times the whole rotation runs before it is failed for good. AWS does not document its count. */
  maxAttempts: number;
  /** Pause between attempts, and before an interrupted rotation is re-driven after a restart. */
  retryDelayMs: number;
  /**
   * How often to look for secrets whose NextRotationDate has passed and rotate them, and for failed rotations
   * to re-drive, as AWS does on its schedule. 0 (the library default) only on RotateSecret and on the
   * explicit `rotateDueSecrets()` / `redriveFailedRotations()` calls; the CLI checks every minute.
   */
  scheduleCheckMs: number;
  /**
   * A rotation that failed for good (AWSPENDING left on a version that is not AWSCURRENT) is re-driven with
   * the same token once it has been failed this long, at the next schedule check. AWS re-drives such
   * rotations ("That rotation will be reattempted") without documenting when.
   */
  redriveAfterMs: number;
}

export interface RotationHost {
  secretByArn(arn: string): SecretRecord | undefined;
  /** The registered function behind a rotation's ARN (a restarted endpoint looks its functions up again). */
  resolveFunction(functionArn: string): RegisteredFunction | undefined;
  /** Called whenever a secret or a rotation record changed, so the state file is written at once. */
  changed(): void;
}

export interface RotationRunner {
  start(input: {
    secret: SecretRecord;
    fn: RegisteredFunction;
    token: string;
    immediate: boolean;
  }): RotationRecord;
  /**
   * Drives an incomplete rotation again with its own token (the AWSPENDING version stays what it is), as
   * AWS re-drives a rotation that failed or was interrupted. Returns the new run's record.
   */
  redrive(input: { secret: SecretRecord; fn: RegisteredFunction; token: string }): RotationRecord;
  /**
   * Takes over the records a previous run of the endpoint saved: rotations that were running are re-driven
   * (`retryDelayMs` after `begin()`), the others are kept as each secret's latest rotation.
   */
  restore(records: readonly RotationRecord[]): void;
  /** The endpoint is serving: restored rotations may now invoke functions (which call the endpoint back). */
  begin(): void;
  /** The latest rotation of a secret, by ARN. */
  latest(secretArn: string): RotationRecord | undefined;
  isUnfinished(secretArn: string): boolean;
  /** CancelRotateSecret: no further steps or retries. */
  cancel(secretArn: string): void;
  /** A new version was created during the rotation: AWS abandons it (CloudTrail RotationAbandoned). */
  abandon(secretArn: string): void;
  wait(secretArn: string, timeoutMs: number): Promise<RotationRecord>;
  all(): RotationRecord[];
  /** The latest record of every secret, for the state file. */
  saved(): RotationRecord[];
  /**
   * Stops driving without ending the rotations: a stopped endpoint saves them as they are (running) and
   * re-drives them when it starts again.
   */
  close(): void;
}

interface RunState {
  record: RotationRecord;
  stop?: 'cancelled' | 'abandoned' | 'closed';
  wake?: () => void;
  done: Promise<void>;
}

const isUnfinishedStatus = (status: RotationStatus) => status === 'running' || status === 'waiting-retry';

/**
 * Drives rotations the way Secrets Manager does once RotateSecret returned: invokes the function for
 * createSecret, setSecret, testSecret and finishSecret with the secret's ARN, retries the whole sequence
 * with the same token when a step fails, and on success records LastRotatedDate / NextRotationDate and
 * removes AWSPENDING from the now-current version. A failed rotation leaves AWSPENDING where it is, and is
 * re-driven later (same token). Every change of a record is reported to the host at once, so the state
 * file always holds where each rotation stands and a restarted endpoint carries on from there.
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
  let closed = false;
  let begin: () => void = () => {};
  const begun = new Promise<void>((resolve) => {
    begin = resolve;
  });

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
    host.changed();
    logger.info('Rotation ended', {
      secretArn: state.record.secretArn,
      status,
      attempts: state.record.attempts,
      drives: state.record.drives,
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
      host.changed();
      failure = await attempt(state, fn, n);
      if (state.stop || !failure) break;
      record.error = failure;
      logger.warn('Rotation attempt failed', { secretArn: record.secretArn, attempt: n, error: failure });
      if (n < maxAttempts) {
        record.status = 'waiting-retry';
        host.changed();
        await sleep(state, settings.retryDelayMs);
        if (state.stop) break;
      }
    }
    // A stopped endpoint leaves the record as it stands: the next start re-drives it.
    if (state.stop === 'closed') return;

    const secret = host.secretByArn(record.secretArn);
    if (!record.immediate && secret) {
      // The configuration test's AWSPENDING version is removed again, whatever the outcome.
      secret.versions = secret.versions.filter((version) => version.versionId !== record.clientRequestToken);
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
    }
    end(state, 'succeeded');
  };

  /**
   * Starts driving `record` (after `delayMs`) and makes it the secret's latest rotation. Without `fn` the
   * function is looked up by the record's ARN when the drive begins (a restarted endpoint's functions may be
   * registered after it started).
   */
  const launch = (
    record: RotationRecord,
    fn: RegisteredFunction | undefined,
    delayMs = 0,
    after: Promise<void> = Promise.resolve(),
  ): RotationRecord => {
    const state: RunState = { record, done: Promise.resolve() };
    // Asynchronous like AWS: RotateSecret has returned before the first step runs.
    const pause = after.then(() =>
      delayMs > 0 ? sleep(state, delayMs) : new Promise<void>((resolve) => setImmediate(resolve)),
    );
    const drive = async () => {
      if (state.stop) return;
      const resolved = fn ?? host.resolveFunction(record.functionArn);
      if (!resolved) {
        record.error = `The rotation function ${record.functionArn} is not registered`;
        end(state, 'failed');
        return;
      }
      await run(state, resolved);
    };
    state.done = pause.then(drive).catch((error: unknown) => {
      record.error = `The local rotation runner failed: ${String(error)}`;
      end(state, 'failed');
    });
    runs.set(record.secretArn, state);
    history.push(record);
    if (history.length > MAX_HISTORY) history.splice(0, history.length - MAX_HISTORY);
    host.changed();
    return { ...record };
  };

  return {
    start({ secret, fn, token, immediate }) {
      logger.info('Rotation started', { secretArn: secret.arn, functionArn: fn.functionArn, immediate });
      return launch(
        {
          secretArn: secret.arn,
          secretName: secret.name,
          clientRequestToken: token,
          rotationToken: randomUUID(),
          functionArn: fn.functionArn,
          immediate,
          status: 'running',
          attempts: 0,
          drives: 1,
          startedAt: Date.now(),
        },
        fn,
      );
    },
    redrive({ secret, fn, token }) {
      const previous = runs.get(secret.arn)?.record;
      const same = previous?.clientRequestToken === token ? previous : undefined;
      logger.info('Rotation re-driven', { secretArn: secret.arn, clientRequestToken: token });
      return launch(
        {
          secretArn: secret.arn,
          secretName: secret.name,
          clientRequestToken: token,
          rotationToken: same?.rotationToken ?? randomUUID(),
          functionArn: fn.functionArn,
          immediate: true,
          status: 'running',
          attempts: 0,
          drives: (same?.drives ?? 1) + 1,
          startedAt: Date.now(),
        },
        fn,
      );
    },
    restore(records) {
      for (const saved of records) {
        const record: RotationRecord = { ...saved };
        if (!isUnfinishedStatus(record.status)) {
          runs.set(record.secretArn, { record, done: Promise.resolve() });
          history.push(record);
          continue;
        }
        const secret = host.secretByArn(record.secretArn);
        const version = secret ? versionById(secret, record.clientRequestToken) : undefined;
        if (!version?.stages.includes(AWSPENDING)) {
          record.status = 'failed';
          record.endedAt = Date.now();
          record.error = `Version ${record.clientRequestToken} is no longer AWSPENDING; the interrupted rotation is not resumed`;
          runs.set(record.secretArn, { record, done: Promise.resolve() });
          history.push(record);
          logger.warn('Interrupted rotation not resumed', {
            secretArn: record.secretArn,
            error: record.error,
          });
          continue;
        }
        // Interrupted by the restart: driven again with the same token, as AWS retries a rotation.
        record.attempts = 0;
        record.drives += 1;
        record.status = 'waiting-retry';
        delete record.endedAt;
        logger.info('Interrupted rotation re-driven after a restart', { secretArn: record.secretArn });
        launch(record, undefined, settings.retryDelayMs, begun);
      }
      host.changed();
    },
    begin: () => begin(),
    latest: (secretArn) => {
      const state = runs.get(secretArn);
      return state ? { ...state.record } : undefined;
    },
    isUnfinished: (secretArn) => {
      const state = runs.get(secretArn);
      return state !== undefined && state.stop !== 'closed' && isUnfinishedStatus(state.record.status);
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
    saved: () => [...runs.values()].map((state) => ({ ...state.record })),
    close() {
      if (closed) return;
      closed = true;
      for (const state of runs.values()) {
        if (state.record.endedAt === undefined) {
          state.stop = 'closed';
          state.wake?.();
        }
      }
    },
  };
}
