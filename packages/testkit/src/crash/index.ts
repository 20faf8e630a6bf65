/**
 * `@rotor/testkit/crash`: the crash matrix. Drives real rotations of an engine's built Lambda bundle through
 * the local endpoint, crashes each external call once (kill -9, connection reset, endpoint SIGKILL) and
 * checks that every case converges with no password lost. See docs/decisions/0053-crash-matrix.md.
 */
export { CaseControl } from './control-dir.js';
export { checkInvariants, type InvariantInput } from './invariants.js';
export { type LoginLoopResult, startLoginLoop } from './login-loop.js';
export {
  type CrashCaseResult,
  type CrashMatrixOptions,
  type CrashMatrixResult,
  runCrashMatrix,
  type ScenarioFigures,
  summaryLine,
} from './matrix.js';
export { postgresVerifierOpens, redisPasswordHash } from './password-verifiers.js';
export {
  CONTROL_DIR_VARIABLE,
  type CrashAction,
  type CrashPhase,
  type CrashPoint,
  type CrashStep,
} from './plan.js';
export {
  type BaselineCall,
  CRASH_MODES,
  type CrashCase,
  type CrashMode,
  describeCase,
  enumerateCases,
} from './points.js';
export { interceptorModule } from './preload-module.js';
export type {
  CrashCache,
  CrashCaseContext,
  CrashEndpointServices,
  CrashFunction,
  CrashScenario,
  HeldCredential,
  PreparedTarget,
  SecretVersionView,
  UserCredentials,
} from './scenario.js';
export { readSecretVersions } from './secret-versions.js';
