import {
  createRotationHandler,
  createSecretsManagerStore,
  type LambdaContextLike,
  type RotationHandler,
} from '@rotor/core';
import { redshiftEngine } from '@rotor/engine-redshift';
import { type FunctionConfig, readConfig } from './config.js';
import { logger } from './logger.js';

/**
 * Wiring only: environment -> Redshift engine + core's rotation handler + the Powertools logger.
 * The configuration and the password policy are checked at cold start; when they are invalid the cold
 * start logs why and every invocation fails with that same error, so RotationFailed says what to fix.
 */
export function buildHandler(env: Record<string, string | undefined> = process.env): RotationHandler {
  let config: FunctionConfig;
  let rotate: RotationHandler;
  try {
    config = readConfig(env);
    rotate = createRotationHandler({
      engine: redshiftEngine(config.engine),
      strategy: config.strategy,
      // SECRETS_MANAGER_ENDPOINT as in AWS's functions; without it the SDK's own resolution applies
      // (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then the regional endpoint).
      store: createSecretsManagerStore({ endpoint: config.secretsManagerEndpoint }),
      logger,
      passwordSource: config.passwordSource,
      ...(config.deadlineMarginMs !== undefined ? { deadlineMarginMs: config.deadlineMarginMs } : {}),
    });
  } catch (error) {
    logger.error('The Redshift rotation function is misconfigured', { error });
    return async () => {
      throw error;
    };
  }
  logger.info('Redshift rotation function ready', {
    transport: config.engine.transport,
    strategy: config.strategy,
  });
  return async (event: unknown, context?: LambdaContextLike) => {
    // Request id, function name and cold-start flag on every line of this invocation.
    if (context && 'awsRequestId' in context)
      logger.addContext(context as Parameters<typeof logger.addContext>[0]);
    await rotate(event, context);
  };
}

export const handler = buildHandler();
