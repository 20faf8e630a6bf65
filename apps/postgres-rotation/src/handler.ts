import {
  createRotationHandler,
  createSecretsManagerStore,
  type LambdaContextLike,
  type RotationHandler,
} from '@rotor/core';
import { postgresEngine } from '@rotor/engine-postgres';
import { type FunctionConfig, readConfig } from './config.js';
import { logger } from './logger.js';

/**
 * Wiring only: environment -> PostgreSQL engine + core's rotation handler + the Powertools logger.
 * A bad configuration is logged once at cold start and every invocation fails with that error, so the
 * RotationFailed event says what to fix.
 */
export function buildHandler(env: Record<string, string | undefined> = process.env): RotationHandler {
  let config: FunctionConfig;
  let rotate: RotationHandler;
  try {
    config = readConfig(env);
    rotate = createRotationHandler({
      engine: postgresEngine(config.engine),
      strategy: config.strategy,
      // SECRETS_MANAGER_ENDPOINT as in AWS's functions; otherwise the SDK resolves the endpoint
      // (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then the regional one).
      store: createSecretsManagerStore({ endpoint: config.secretsManagerEndpoint }),
      logger,
      passwordSource: config.passwordSource,
      ...(config.deadlineMarginMs !== undefined ? { deadlineMarginMs: config.deadlineMarginMs } : {}),
    });
  } catch (error) {
    logger.error('The PostgreSQL rotation function is misconfigured', { error });
    return async () => {
      throw error;
    };
  }
  logger.info('PostgreSQL rotation function ready', { strategy: config.strategy, tls: config.engine.tls });
  return async (event: unknown, context?: LambdaContextLike) => {
    if (context && 'awsRequestId' in context) logger.addContext(context as never);
    await rotate(event, context);
  };
}

export const handler = buildHandler();
