import type { RotationHandler } from '@rotor/core';
import { createSecretsManagerStore } from '@rotor/core';
import { redshiftEngine } from '@rotor/engine-redshift';
import { createRotationFunction } from '@rotor/lambda';
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
        handler: {
          engine: redshiftEngine(config.engine),
          strategy: config.strategy,
          // SECRETS_MANAGER_ENDPOINT as in AWS's functions; without it the SDK's own resolution applies
          // (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then the regional endpoint).
          store: createSecretsManagerStore({ endpoint: config.secretsManagerEndpoint }),
          passwordSource: config.passwordSource,
          ...(config.deadlineMarginMs !== undefined ? { deadlineMarginMs: config.deadlineMarginMs } : {}),
        },
        ready: { transport: config.engine.transport, strategy: config.strategy },
      };
    },
  });
}

export const handler = buildHandler();
