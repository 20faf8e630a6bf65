/**
 * `@rotor/engine-postgres`: rotate passwords of self-managed PostgreSQL roles with Rotor.
 */

export { type PostgresEngine, postgresEngine } from './postgres-engine.js';
export {
  type PostgresEngineOptions,
  type PostgresPasswordOptions,
  postgresEngineOptionsSchema,
} from './postgres-options.js';
export {
  type PostgresAdminSecret,
  type PostgresSecret,
  postgresAdminSecretSchema,
  postgresSecretSchema,
} from './postgres-secret.js';
