/**
 * The engines `rotor rotate` and `rotor doctor` can run, each built from its package's factory with the CLI's
 * AWS settings. Engines are imported lazily so `rotor status` never loads a database driver.
 */
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import type { AwsClientConfig } from './aws-config.js';

export const ENGINE_IDS = ['elasticache', 'redshift', 'postgres'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export interface EngineSettings {
  aws: AwsClientConfig;
}

export async function createEngine(
  id: EngineId,
  _settings: EngineSettings,
): Promise<RotationEngine<EngineSecret>> {
  throw new Error(`engine "${id}" is not wired into this build of rotor yet`);
}
