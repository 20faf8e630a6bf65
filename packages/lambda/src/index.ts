/**
 * `@rotor/lambda`: what every rotation Lambda app shares. Apps stay wiring: environment -> engine options,
 * then `createRotationFunction`.
 */
export {
  optionalBoolean,
  optionalInteger,
  optionalText,
  parseEnvironment,
  type RotationFunctionSettings,
  rotationEnvironmentShape,
  rotationSettings,
} from './environment.js';
export {
  createRotationFunction,
  type FunctionLogger,
  type RotationFunctionSetup,
} from './rotation-function.js';
export { type MetricsSink, ROTATION_METRICS } from './rotation-metrics.js';
