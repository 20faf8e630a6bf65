import {
  createRotationHandler,
  createSecretsManagerStore,
  InvalidConfigurationError,
  type LambdaContextLike,
  type RotationHandler,
} from '@rotor/core';
import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { readConfig } from './config.js';
import { logger } from './logger.js';

/**
 * Wiring only: environment -> engine + core's rotation handler + the Powertools logger. Configuration is
 * validated at cold start; when it is invalid every invocation fails with the same clear error (and the
 * cold start logs it), so Secrets Manager's RotationFailed event says what to fix.
 */
function build(): RotationHandler {
  try {
    const config = readConfig();
    const rotate = createRotationHandler({
      engine: elastiCacheEngine(config.engine),
      strategy: config.strategy,
      store: createSecretsManagerStore({ endpoint: config.secretsManagerEndpoint }),
      logger,
      passwordSource: config.passwordSource,
      ...(config.deadlineMarginMs !== undefined ? { deadlineMarginMs: config.deadlineMarginMs } : {}),
    });
    return async (event: unknown, context?: LambdaContextLike) => {
      // Lambda's request id, function name and cold-start flag on every line of this invocation.
      if (context) logger.addContext(context as Parameters<typeof logger.addContext>[0]);
      // As AWS's function does, refuse another secret before making any AWS call.
      const secretId = (event as { SecretId?: unknown } | null)?.SecretId;
      if (config.secretArn !== undefined && typeof secretId === 'string' && secretId !== config.secretArn) {
        const error = new InvalidConfigurationError(
          `This function rotates only ${config.secretArn} (SECRET_ARN); it was invoked for ${secretId}`,
        );
        logger.error(error.message, { code: error.code });
        throw error;
      }
      await rotate(event, context);
    };
  } catch (error) {
    logger.error('The ElastiCache rotation function is misconfigured', { error });
    return async () => {
      throw error;
    };
  }
}

export const handler = build();
