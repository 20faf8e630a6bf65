import { elastiCacheScenarioSpecs } from './elasticache.js';
import { postgresScenarioSpecs } from './postgres.js';
import { redshiftScenarioSpecs } from './redshift.js';
import type { ScenarioSpec } from './spec.js';

/** Every scenario `pnpm crash` knows, in the order it runs them. */
export const SCENARIO_SPECS: readonly ScenarioSpec[] = [
  ...elastiCacheScenarioSpecs,
  ...redshiftScenarioSpecs,
  ...postgresScenarioSpecs,
];

export type { ScenarioSpec } from './spec.js';
