/**
 * `@rotor/cdk`: AWS CDK v2 constructs that deploy Rotor's rotation functions with least-privilege IAM, the
 * rotation schedule, an alarm on failed steps and a rule on Secrets Manager's RotationFailed event.
 */
export {
  type ElastiCacheLoginTarget,
  ElastiCacheUserRotation,
  type ElastiCacheUserRotationProps,
} from './elasticache-user-rotation.js';
export type { ElastiCacheStrategy } from './grants/elasticache-grants.js';
export type { GrantStatement } from './grants/statement.js';
export { ROTATION_METRICS } from './metric-names.js';
export {
  type ManagedAdminDatabase,
  type PostgresPasswordSettings,
  PostgresRotation,
  type PostgresRotationProps,
} from './postgres-rotation.js';
export {
  RedshiftRotation,
  type RedshiftRotationProps,
  type RedshiftTarget,
  type TlsMode,
} from './redshift-rotation.js';
export {
  RotationFunction,
  type RotationFunctionProps,
  type RotationScheduleOptions,
  rotationFailedPattern,
  type SecretsManagerAccess,
} from './rotation-function.js';
