/**
 * `@rotor/engine-redshift`: rotates Amazon Redshift user passwords for Rotor, over pg or the Data API.
 */
export { type RedshiftEngine, redshiftEngine } from './redshift-engine.js';
export {
  passwordOptionsFromEnv,
  type RedshiftEngineOptions,
  type RedshiftPasswordOptions,
  redshiftEngineOptionsSchema,
} from './redshift-options.js';
export { type RedshiftSecret, redshiftSecretSchema } from './redshift-secret.js';
