import type { RotationHandler } from '@rotor/core';
import { postgresEngine } from '@rotor/engine-postgres';
import { createRotationFunction, rotationHandlerOptions } from '@rotor/lambda';
import { readConfig } from './config.js';
import { logger } from './logger.js';
import { metrics } from './metrics.js';

/**
 * Wiring only: environment -> PostgreSQL engine + core's rotation handler + the Powertools logger. A bad
 * configuration is logged once at cold start and fails every invocation (see createRotationFunction).
 */
export function buildHandler(env: Record<string, string | undefined> = process.env): RotationHandler {
  return createRotationFunction({
    functionName: 'PostgreSQL',
    logger,
    metrics,
    setup: () => {
      const config = readConfig(env);
      return {
        handler: { engine: postgresEngine(config.engine), ...rotationHandlerOptions(config) },
        ready: { strategy: config.strategy, allowedHosts: config.engine.allowedHosts },
        connections: config.connections,
      };
    },
  });
}

export const handler = buildHandler();
