/**
 * `@rotor/testkit`: prove an engine correct against a real server (`describeEngineConformance`), plus the
 * builders and fakes an engine author needs for unit tests: the one Secrets Manager stage model (as core's
 * `SecretStore` port and as the AWS SDK client through aws-sdk-client-mock) and a recording mock engine.
 */

export {
  lambdaContext,
  rotationEvent,
  rotationEvents,
  stepContext,
  TEST_FUNCTION_SCOPE,
  TEST_SECRET_ARN,
} from './builders.js';
export {
  type CapturedLine,
  type CapturingLogger,
  createCapturingLogger,
  type LogLevel,
} from './capturing-logger.js';
export { CONFORMANCE_CHECKS, type ConformanceCheck, optOutProblems } from './conformance/checks.js';
export { describeEngineConformance } from './conformance/describe-engine-conformance.js';
export type {
  ConformanceHarness,
  ManagedAdmin,
  ManagedAdminSecret,
  OtherServer,
} from './conformance/harness.js';
export {
  type ConformanceSession,
  openConformanceSession,
  runConformanceChecks,
} from './conformance/session.js';
export {
  CAPABILITY_CHECK_IDS,
  type CapabilityCheckId,
  type CheckId,
  CheckNotApplicable,
  type CheckResult,
  type CheckStatus,
  CORE_CHECK_IDS,
  ConformanceFailure,
  type ConformanceTarget,
  type CoreCheckId,
  type EngineConformanceOptions,
  HOSTILE_CHECK_IDS,
  type HostileCheckId,
} from './conformance/types.js';
export { engineLayoutProblems } from './engine-layout.js';
export {
  InMemorySecretsManager,
  type RecordedStoreCall,
  type SecretStoreOperation,
} from './in-memory-secrets-manager.js';
export {
  createMockEngine,
  type MockEngineOptions,
  type MockSecret,
  MockTarget,
  type MockUser,
  mockPasswordPolicy,
  mockSecretSchema,
} from './mock-engine.js';
export { type RotationFunction, type RunRotationOptions, runRotation } from './run-rotation.js';
export { describeForScan, SecretWatch } from './secret-watch.js';
export {
  describeStageSemantics,
  type MockedOperation,
  MockSecretsManager,
  mockSecretsManager,
  SecretsManagerModel,
  StageModelError,
} from './secrets-manager/index.js';
