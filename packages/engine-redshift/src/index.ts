/**
 * `@rotor/engine-redshift`: rotates Amazon Redshift user passwords for Rotor, over pg or the Data API.
 */
export {
  type Dialect,
  type PrivilegeFacts,
  parseSettings,
  parseTextArray,
  type UserFacts,
} from './catalog.js';
export { buildClonePlan, type ClonePlan, type ClonePlanInput } from './clone-plan.js';
export type { ControlPlaneClients } from './control-plane.js';
export {
  type DataApiIdentity,
  type DataApiTarget,
  mapDataApiError,
  mapStatementFailure,
  toNamedParameters,
} from './data-api-transport.js';
export { mapPgError, safeServerMessage } from './error-mapping.js';
export {
  AWS_DEFAULT_EXCLUDE_CHARACTERS,
  meetsRedshiftRules,
  passwordOptionsFromEnv,
  REDSHIFT_FORBIDDEN_CHARACTERS,
  REDSHIFT_MAX_PASSWORD_LENGTH,
  REDSHIFT_MIN_PASSWORD_LENGTH,
  type RedshiftPasswordOptions,
  redshiftPasswordPolicy,
} from './password-policy.js';
export type { PgTlsMode } from './pg-transport.js';
export {
  type RedshiftEngineOptions,
  redshiftEngine,
  redshiftEngineOptionsSchema,
} from './redshift-engine.js';
export {
  DEFAULT_DATABASE,
  DEFAULT_PORT,
  MAX_USERNAME_BYTES,
  type RedshiftSecret,
  redshiftSecretSchema,
  usernameProblem,
} from './redshift-secret.js';
export type { RedshiftTarget } from './redshift-target.js';
export * as sql from './sql.js';
export type { Row, SqlSession, StatementObserver } from './transport.js';
