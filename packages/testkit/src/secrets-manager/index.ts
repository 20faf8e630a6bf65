/**
 * `@rotor/testkit/secrets-manager`: Rotor's one test model of Secrets Manager's versions and staging labels,
 * the AWS SDK client answered by it (aws-sdk-client-mock), and the stage cases that keep it equal to
 * local-aws. Imports no Rotor package, so every package's tests can use it (decision 0110).
 */
export {
  type MockedOperation,
  MockSecretsManager,
  type MockSecretsManagerOptions,
  mockSecretsManager,
} from './sdk-mock.js';
export {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  type CreateSecretOptions,
  SecretsManagerModel,
  StageModelError,
} from './stage-model.js';
export { describeStageSemantics, type StageSemanticsTarget } from './stage-semantics.js';
