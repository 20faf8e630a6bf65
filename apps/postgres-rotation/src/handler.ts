import type { RotationHandler } from '@rotor/core';
import { createSecretsManagerStore } from '@rotor/core';
import { postgresEngine } from '@rotor/engine-postgres';
import { createRotationFunction } from '@rotor/lambda';
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
        handler: {
          engine: postgresEngine(config.engine),
          strategy: config.strategy,
          // SECRETS_MANAGER_ENDPOINT as in AWS's functions; otherwise the SDK resolves the endpoint
          // (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then the regional one).
          store: createSecretsManagerStore({ endpoint: config.secretsManagerEndpoint }),
          passwordSource: config.passwordSource,
          ...(config.deadlineMarginMs !== undefined ? { deadlineMarginMs: config.deadlineMarginMs } : {}),
        },
        ready: { strategy: config.strategy, tls: config.engine.tls },
      };
    },
  });
}

export const handler = buildHandler();
