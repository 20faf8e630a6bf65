import {
  createRotationHandler,
  type LambdaContextLike,
  type RotationHandler,
  type RotationHandlerOptions,
  type RotorLogger,
} from '@rotor/core';
import type { EngineSecret } from '@rotor/core/engine';
import { type ConnectionSecurity, downgradeWarnings } from './connection-security.js';
import { type MetricsSink, RotationMetrics, type StepMetricsContext } from './rotation-metrics.js';

/** The app's one logger: Powertools' Logger fits (it adds the Lambda context to every line). */
export interface FunctionLogger extends RotorLogger {
  addContext?(context: never): void;
}

export interface RotationFunctionSetup<TSecret extends EngineSecret> {
  /** core's handler options, built from the environment; throwing here marks the function misconfigured. */
  handler: RotationHandlerOptions<TSecret>;
  /** What the cold start logs once the function is ready (never secrets). */
  ready?: Record<string, unknown>;
  /**
   * Every connection the engine opens and how it is protected: logged at cold start, and each downgrade
   * (anything but verified TLS) as a warning on every invocation.
   */
  connections?: readonly ConnectionSecurity[];
  /** Checks an event before any AWS call, e.g. AWS's SECRET_ARN guard; throw a RotationError to refuse. */
  beforeRotate?(event: unknown): void;
}

/** Lambda's context carries the function's name; outside Lambda the human name stands in. */
type InvocationContext = LambdaContextLike & { functionName?: string };

/**
 * A rotation Lambda's handler: reads its configuration once, at cold start. When the configuration is
 * invalid the cold start logs why and every invocation fails with that same error, so Secrets Manager's
 * RotationFailed event says what to fix instead of a generic crash. With a metrics sink, every invocation
 * publishes one record (see rotation-metrics.ts), failures included.
 */
export function createRotationFunction<TSecret extends EngineSecret>(options: {
  /** Human name for logs: "Redshift", "PostgreSQL", "ElastiCache". */
  functionName: string;
  logger: FunctionLogger;
  /** Where step metrics go: the app's Powertools `Metrics`. Without it, no metrics. */
  metrics?: MetricsSink;
  setup: () => RotationFunctionSetup<TSecret>;
}): RotationHandler {
  const { logger, functionName } = options;
  const metrics = options.metrics ? new RotationMetrics(options.metrics, logger) : undefined;
  const measured = async (
    event: unknown,
    context: InvocationContext | undefined,
    labels: Omit<StepMetricsContext, 'functionName'>,
    run: () => Promise<void>,
  ): Promise<void> => {
    if (!metrics) return run();
    return metrics.measure(event, { ...labels, functionName: context?.functionName ?? functionName }, run);
  };
  let setup: RotationFunctionSetup<TSecret>;
  let rotate: RotationHandler;
  try {
    setup = options.setup();
    rotate = createRotationHandler({
      logger,
      ...setup.handler,
      ...(metrics
        ? {
            engine: metrics.instrument(setup.handler.engine),
            onStrategySelected: metrics.strategySelected,
          }
        : {}),
    });
  } catch (error) {
    logger.error(`The ${functionName} rotation function is misconfigured`, { error });
    const unconfigured = { engineId: 'unknown', configuredStrategy: 'unknown' };
    return async (event: unknown, context?: InvocationContext) =>
      measured(event, context, unconfigured, async () => {
        throw error;
      });
  }
  const connections = setup.connections ?? [];
  const downgrades = downgradeWarnings(connections);
  const loginTest = setup.handler.loginTest ?? 'required';
  logger.info(`${functionName} rotation function ready`, { ...setup.ready, connections, loginTest });
  const labels = {
    engineId: setup.handler.engine.engineId,
    configuredStrategy: setup.handler.strategy ?? 'auto',
  };
  return async (event: unknown, context?: InvocationContext) => {
    // Lambda's request id, function name and cold-start flag on every line of this invocation.
    if (context && 'awsRequestId' in context) logger.addContext?.(context as never);
    for (const warning of downgrades) logger.warn(warning);
    await measured(event, context, labels, async () => {
      try {
        setup.beforeRotate?.(event);
      } catch (error) {
        logger.error((error as Error).message, { code: (error as { code?: unknown }).code });
        throw error;
      }
      await rotate(event, context);
    });
  };
}
