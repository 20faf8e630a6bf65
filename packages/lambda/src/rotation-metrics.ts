/**
 * Rotation metrics: one record per invocation, written through a sink the app injects (Powertools' `Metrics`
 * fits this interface as it is; this package never imports Powertools). What the record says comes from the
 * step's outcome, core's `onStrategySelected`, and an engine wrapper that times `waitUntilApplied` and notes
 * testSecret's logins.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RotorLogger, StrategyId } from '@rotor/core';
import type { EngineSecret, LoginResult, RotationEngine, StepContext, UserRequest } from '@rotor/core/engine';

/** The part of Powertools' `Metrics` that Rotor uses. */
export interface MetricsSink {
  addDimensions(dimensions: Record<string, string>): unknown;
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  publishStoredMetrics(): unknown;
}

/**
 * Names an operator's dashboards and alarms depend on (the CDK constructs and SAM templates use them). Every
 * metric is published under two dimension sets: `Engine, Strategy, Step` for the breakdown, and
 * `FunctionName` for one function's alarm. Powertools adds its `service` dimension to both.
 */
export const ROTATION_METRICS = {
  namespace: 'Rotor',
  stepSucceeded: 'RotationStepSucceeded',
  stepFailed: 'RotationStepFailed',
  stepDuration: 'RotationStepDuration',
  targetApplyWait: 'TargetApplyWaitTime',
  testSecretLoggedIn: 'TestSecretLoggedIn',
} as const;

const KNOWN_STEPS = new Set(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);

interface InvocationRecord {
  strategy: StrategyId | undefined;
  waitMs: number | undefined;
  /** testSecret's login outcomes; `threw` when the login itself failed. */
  logins: Array<LoginResult['status'] | 'threw'>;
}

export interface StepMetricsContext {
  engineId: string;
  /** The configured choice, reported for steps that choose no strategy (finishSecret). */
  configuredStrategy: string;
  functionName: string;
}

/**
 * The invocation each RotationMetrics is recording in the current async context. One storage for the whole
 * process, whatever the number of handlers: Node runs every enabled AsyncLocalStorage's propagation on every
 * promise it creates and never drops one that was used, so a storage per handler made each promise cost
 * O(handlers built so far), quadratic in a process that hosts many containers (the bench's rotation storm:
 * 1,000 handlers; decision 0095).
 */
const invocations = new AsyncLocalStorage<ReadonlyMap<RotationMetrics, InvocationRecord>>();

/**
 * Records one invocation at a time per async context, so concurrent invocations in tests or the local endpoint
 * never mix their numbers.
 */
export class RotationMetrics {
  readonly #sink: MetricsSink;
  readonly #logger: RotorLogger;

  constructor(sink: MetricsSink, logger: RotorLogger) {
    this.#sink = sink;
    this.#logger = logger;
  }

  /** The record of the invocation this instance is measuring in the current async context. */
  #current(): InvocationRecord | undefined {
    return invocations.getStore()?.get(this);
  }

  /** For core's `onStrategySelected`. */
  readonly strategySelected = (strategy: StrategyId): void => {
    const record = this.#current();
    if (record) record.strategy = strategy;
  };

  /** The engine, with `waitUntilApplied` timed and testSecret's logins noted. Behaviour is unchanged. */
  instrument<TSecret extends EngineSecret>(engine: RotationEngine<TSecret>): RotationEngine<TSecret> {
    const current = () => this.#current();
    const login: RotationEngine<TSecret>['login'] = async (request, context) => {
      const record = context.step === 'testSecret' ? current() : undefined;
      try {
        const outcome = await engine.login(request, context);
        record?.logins.push(outcome.status);
        return outcome;
      } catch (error) {
        record?.logins.push('threw');
        throw error;
      }
    };
    if (!engine.asyncChanges) return Object.freeze({ ...engine, login });
    const wait = engine.waitUntilApplied.bind(engine);
    return Object.freeze({
      ...engine,
      login,
      async waitUntilApplied(request: UserRequest<TSecret>, context: StepContext) {
        const started = performance.now();
        try {
          return await wait(request, context);
        } finally {
          const record = current();
          if (record) record.waitMs = (record.waitMs ?? 0) + (performance.now() - started);
        }
      },
    });
  }

  /** Runs one invocation and publishes its record, whether the step succeeded or failed. */
  async measure(event: unknown, context: StepMetricsContext, run: () => Promise<void>): Promise<void> {
    const record: InvocationRecord = { strategy: undefined, waitMs: undefined, logins: [] };
    const started = performance.now();
    let succeeded = false;
    try {
      // The records of any outer invocation stay visible to their own instances.
      const outer = invocations.getStore();
      await invocations.run(new Map(outer).set(this, record), run);
      succeeded = true;
    } finally {
      this.#publish(event, context, record, succeeded, performance.now() - started);
    }
  }

  #publish(
    event: unknown,
    context: StepMetricsContext,
    record: InvocationRecord,
    succeeded: boolean,
    durationMs: number,
  ): void {
    const step = stepOf(event);
    try {
      this.#sink.addDimensions({
        Engine: context.engineId,
        Strategy: record.strategy ?? context.configuredStrategy,
        Step: step,
      });
      this.#sink.addDimensions({ FunctionName: context.functionName });
      this.#sink.addMetric(ROTATION_METRICS.stepSucceeded, 'Count', succeeded ? 1 : 0);
      this.#sink.addMetric(ROTATION_METRICS.stepFailed, 'Count', succeeded ? 0 : 1);
      this.#sink.addMetric(ROTATION_METRICS.stepDuration, 'Milliseconds', Math.round(durationMs));
      if (record.waitMs !== undefined) {
        this.#sink.addMetric(ROTATION_METRICS.targetApplyWait, 'Milliseconds', Math.round(record.waitMs));
      }
      if (step === 'testSecret' && record.logins.length > 0) {
        const loggedIn = record.logins.every((status) => status === 'accepted');
        this.#sink.addMetric(ROTATION_METRICS.testSecretLoggedIn, 'Count', loggedIn ? 1 : 0);
      }
      this.#sink.publishStoredMetrics();
    } catch (error) {
      // Metrics never decide a rotation's outcome: a sink that throws loses this record, nothing more.
      this.#logger.warn('Could not publish the rotation metrics', { error: (error as Error).message });
    }
  }
}

/** The event's step when it names one; anything else is a malformed event. */
function stepOf(event: unknown): string {
  const step = (event as { Step?: unknown } | null)?.Step;
  return typeof step === 'string' && KNOWN_STEPS.has(step) ? step : 'InvalidEvent';
}
