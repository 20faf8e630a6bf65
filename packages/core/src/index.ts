/**
 * `@rotor/core`: the Secrets Manager rotation protocol. Engines use `@rotor/core/engine`.
 */

export { createDefaultLogger } from './default-logger.js';
export type { StrategyId } from './engine/contract.js';
export * from './errors.js';
export {
  createRotationHandler,
  createRotationStepRunner,
  type RotationHandler,
  type RotationHandlerOptions,
  type RotationStepOutcome,
} from './handler.js';
export type { RotorLogger } from './logger.js';
export { silentLogger } from './logger.js';
export { generatePassword, type RandomIndex } from './password/generate-password.js';
export type { LambdaContextLike } from './protocol/deadline.js';
export { type FunctionScope, parseArn, scopeOfArn } from './protocol/function-scope.js';
export { parseRotationEvent } from './protocol/parse-event.js';
export type {
  SecretDescription,
  SecretStore,
  SecretVersionSummary,
  SecretVersionValue,
} from './store/secret-store.js';
export { createSecretsManagerStore, type SecretsManagerStoreOptions } from './store/secrets-manager-store.js';
export type { StrategyChoice } from './strategies/select-strategy.js';
export type { LoginTestPolicy } from './strategies/strategy.js';
export * from './vocabulary.js';
