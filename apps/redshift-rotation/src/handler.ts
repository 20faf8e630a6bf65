import type { RotationHandler } from '@rotor/core';
import { redshiftEngine } from '@rotor/engine-redshift';
import { createRotationFunction, rotationHandlerOptions } from '@rotor/lambda';
import { readConfig } from './config.js';
import { logger } from './logger.js';
import { metrics } from './metrics.js';

/**
 * Wiring only: environment -> Redshift engine + core's rotation handler + the Powertools logger. The
 * configuration and the password policy are checked at cold start (see createRotationFunction).
 */
export function buildHandler(env: Record<string, string | undefined> = process.env): RotationHandler {
  return createRotationFunction({
    functionName: 'Redshift',
    logger,
    metrics,
    setup: () => {
      const config = readConfig(env);
      return {
        handler: { engine: redshiftEngine(config.engine), ...rotationHandlerOptions(config) },
        ready: { transport: config.engine.transport, strategy: config.strategy },
        connections: config.connections,
      };
    },
  });
}

export const handler = buildHandler();
