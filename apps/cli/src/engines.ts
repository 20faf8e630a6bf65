/**
 * The engines `rotor rotate` and `rotor doctor` can run, each built from its package's factory with the CLI's
 * AWS settings plus `--engine-options` (the factory's own options as JSON, validated by the factory). Engines
 * are imported lazily so `rotor status` never loads a database driver.
 */
import { RotationError } from '@rotor/core';
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import type { AwsClientConfig } from './aws-config.js';
import { UsageError } from './exit-codes.js';

export const ENGINE_IDS = ['elasticache', 'redshift', 'postgres'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export interface EngineSettings {
  aws: AwsClientConfig;
  /** The factory's options, parsed from `--engine-options`. */
  options: Record<string, unknown>;
}

export async function createEngine(
  id: EngineId,
  settings: EngineSettings,
): Promise<RotationEngine<EngineSecret>> {
  try {
    return (await build(id, settings)) as unknown as RotationEngine<EngineSecret>;
  } catch (error) {
    // A factory rejecting its options is a usage problem of the command line.
    if (RotationError.isInstance(error) && error.code === 'INVALID_CONFIGURATION') {
      throw new UsageError(`--engine-options: ${error.message}`);
    }
    throw error;
  }
}

async function build(id: EngineId, { aws, options }: EngineSettings): Promise<object> {
  // The CLI's endpoint/region/credentials reach the engine through a configured client; without any, the
  // engine's own defaults apply (e.g. ElastiCache's region from the user ARN).
  const configured = aws.endpoint !== undefined || aws.region !== undefined;
  switch (id) {
    case 'elasticache': {
      const [{ elastiCacheEngine }, { ElastiCacheClient }] = await Promise.all([
        import('@rotor/engine-elasticache'),
        import('@aws-sdk/client-elasticache'),
      ]);
      return elastiCacheEngine({ ...(configured ? { client: new ElastiCacheClient(aws) } : {}), ...options });
    }
    case 'redshift': {
      const [{ redshiftEngine }, { RedshiftDataClient }, { RedshiftClient }, { RedshiftServerlessClient }] =
        await Promise.all([
          import('@rotor/engine-redshift'),
          import('@aws-sdk/client-redshift-data'),
          import('@aws-sdk/client-redshift'),
          import('@aws-sdk/client-redshift-serverless'),
        ]);
      const dataApi = (options.dataApi ?? {}) as Record<string, unknown>;
      // Endpoints are looked up with the CLI's AWS settings (DescribeClusters / GetWorkgroup), never taken
      // from the secret alone.
      return redshiftEngine({
        ...options,
        ...(configured
          ? {
              controlPlane: {
                redshift: new RedshiftClient(aws),
                serverless: new RedshiftServerlessClient(aws),
              },
            }
          : {}),
        ...(options.transport === 'data-api' && configured
          ? { dataApi: { client: new RedshiftDataClient(aws), ...dataApi } }
          : {}),
      });
    }
    case 'postgres': {
      // Self-managed PostgreSQL: no AWS service besides Secrets Manager.
      const { postgresEngine } = await import('@rotor/engine-postgres');
      return postgresEngine(options);
    }
    default: {
      const unknown: never = id;
      throw new UsageError(`unknown engine "${String(unknown)}"`);
    }
  }
}

/** `--engine-options '{"dataPlane":{"host":"...","tls":false}}'`: a JSON object. */
export function parseEngineOptions(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--engine-options must be a JSON object, e.g. \'{"pg":{"tls":"disable"}}\'');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--engine-options must be a JSON object');
  }
  return value as Record<string, unknown>;
}
