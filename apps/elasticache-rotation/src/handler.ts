import { InvalidConfigurationError, type RotationHandler } from '@rotor/core';
import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { createRotationFunction, rotationHandlerOptions } from '@rotor/lambda';
import { readConfig } from './config.js';
import { logger } from './logger.js';
import { metrics } from './metrics.js';

/**
 * Wiring only: environment -> engine + core's rotation handler + the Powertools logger. Configuration is
 * validated at cold start; when it is invalid every invocation fails with the same clear error (see
 * createRotationFunction), so Secrets Manager's RotationFailed event says what to fix. The cold-start line
 * names every connection and how it is protected; a downgrade is a warning on every invocation.
 */
export function buildHandler(env: Record<string, string | undefined> = process.env): RotationHandler {
  return createRotationFunction({
    functionName: 'ElastiCache',
    logger,
    metrics,
    setup: () => {
      const config = readConfig(env);
      return {
        handler: { engine: elastiCacheEngine(config.engine), ...rotationHandlerOptions(config) },
        ready: { strategy: config.strategy },
        connections: config.connections,
        // As AWS's function does, refuse another secret before making any AWS call.
        beforeRotate(event) {
          const secretId = (event as { SecretId?: unknown } | null)?.SecretId;
          if (
            config.secretArn !== undefined &&
            typeof secretId === 'string' &&
            secretId !== config.secretArn
          ) {
            throw new InvalidConfigurationError(
              `This function rotates only ${config.secretArn} (SECRET_ARN); it was invoked for ${secretId}`,
            );
          }
        },
      };
    },
  });
}

export const handler = buildHandler();
