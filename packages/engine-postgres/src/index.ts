/**
 * `@rotor/engine-postgres`: rotate passwords of self-managed PostgreSQL roles with Rotor.
 */

export {
  DEFAULT_EXCLUDE_CHARACTERS,
  type PostgresPasswordOptions,
  postgresPasswordPolicyFrom,
} from './password-options.js';
export type { ClientFactory, SqlClient } from './postgres-client.js';
export {
  type PostgresEngineOptions,
  postgresEngine,
  postgresEngineOptionsSchema,
  postgresPasswordPolicy,
} from './postgres-engine.js';
export {
  type PostgresAdminSecret,
  type PostgresSecret,
  postgresAdminSecretSchema,
  postgresSecretSchema,
} from './postgres-secret.js';
export { scramSha256Verifier, verifierProblem } from './scram.js';
