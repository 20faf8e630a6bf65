import type { CrashScenario } from '@rotor/testkit/crash';
import type { BundledEngine } from '../../environment/bundles.js';
import type { CrashEnvironment } from '../environment.js';

/** A scenario by name, built once its servers and bundle exist. */
export interface ScenarioSpec {
  name: string;
  engine: BundledEngine;
  create(env: CrashEnvironment): CrashScenario;
}
