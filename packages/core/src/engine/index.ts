/**
 * `@rotor/core/engine`: everything an engine author needs, and nothing else.
 */

export * from '../errors.js';
export type { RotorLogger } from '../logger.js';
export {
  type ArnCheck,
  assertArnInScope,
  type FunctionScope,
  type ParsedArn,
  parseArn,
} from '../protocol/function-scope.js';
export type { RotationStep } from '../vocabulary.js';
export { CLONE_SUFFIX, toggleCloneSuffix } from './alternate-username.js';
export { type AwsErrorClass, type AwsErrorKind, awsErrorName, classifyAwsError } from './aws-errors.js';
export type {
  AdminSecret,
  AlternateUserResult,
  AsyncEngine,
  ChangeResult,
  CloneUserRequest,
  CloningEngine,
  EngineBase,
  EngineContractVersion,
  EngineSecret,
  LoginResult,
  NonCloningEngine,
  PasswordPolicy,
  PreflightResult,
  Principal,
  RotationEngine,
  SetPasswordsRequest,
  StepContext,
  StrategyId,
  SyncEngine,
  UserRequest,
  WaitResult,
} from './contract.js';
export { ENGINE_CONTRACT_VERSION, STRATEGY_IDS } from './contract.js';
export { assertEngineContract, defineEngine } from './define-engine.js';
export { parseOptions } from './parse-options.js';
export {
  allowedCharacterClasses,
  DEFAULT_PASSWORD_POLICY,
  definePasswordPolicy,
  LOWERCASE,
  NUMBERS,
  PUNCTUATION,
  passwordSatisfiesPolicy,
  UPPERCASE,
  validatePasswordPolicy,
} from './password-policy.js';
export { type PollOptions, pollUntil, sleepUnlessAborted } from './poll.js';
export {
  type RetryDeadline,
  runWithinDeadline,
  type SdkRetryStrategy,
  type ThrottlingRetryOptions,
  throttlingRetryStrategy,
} from './throttling-retry.js';
export {
  assertSecretKeepsTls,
  findEndpoint,
  type HostPort,
  parseHostPort,
  sameHost,
  type TlsMode,
  tlsForSecret,
} from './trusted-endpoint.js';
