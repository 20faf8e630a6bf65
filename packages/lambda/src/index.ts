/**
 * `@rotor/lambda`: what every rotation Lambda app shares. Apps stay wiring: environment -> engine options,
 * then `createRotationFunction`.
 */
export {
  type ConnectionSecurity,
  type ConnectionTransport,
  downgradeWarnings,
  tlsModeTransport,
} from './connection-security.js';
export {
  optionalBoolean,
  optionalInteger,
  optionalList,
  optionalText,
  parseEnvironment,
  type RotationFunctionSettings,
  rotationEnvironmentShape,
  rotationHandlerOptions,
  rotationSettings,
} from './environment.js';
export { type LazyHandler, lazyHandler } from './lazy-handler.js';
export {
  createRotationFunction,
  type FunctionLogger,
  type RotationFunctionSetup,
} from './rotation-function.js';
export { type MetricsSink, ROTATION_METRICS } from './rotation-metrics.js';
