/**
 * Rotor's error hierarchy. Every error a rotation can raise is a {@link RotationError} with a stable
 * `code`, the rotation `step` it happened in (when known), whether a retry can succeed (`retryable`)
 * and the underlying `cause`.
 *
 * Messages never contain secret material: build them from usernames, ids and codes only.
 */
import type { RotationStep } from './vocabulary.js';

export const ROTATION_ERROR_CODES = [
  'INVALID_EVENT',
  'INVALID_CONFIGURATION',
  'ROTATION_NOT_ENABLED',
  'INVALID_VERSION_STAGE',
  'INVALID_SECRET',
  'SECRET_STORE_FAILED',
  'CREDENTIAL_REJECTED',
  'LOGIN_TEST_UNAVAILABLE',
  'USER_NOT_FOUND',
  'PERMISSION_DENIED',
  'ENGINE_UNAVAILABLE',
  'STEP_TIMEOUT',
  'ROTATION_ABANDONED',
  'ENGINE_FAILED',
] as const;
export type RotationErrorCode = (typeof ROTATION_ERROR_CODES)[number];

const ROTATION_ERROR_MARKER = Symbol.for('rotor.rotation-error');

export interface RotationErrorOptions {
  step?: RotationStep | undefined;
  retryable?: boolean;
  cause?: unknown;
}

export class RotationError extends Error {
  readonly code: RotationErrorCode;
  step: RotationStep | undefined;
  readonly retryable: boolean;
  readonly [ROTATION_ERROR_MARKER] = true;

  constructor(code: RotationErrorCode, message: string, options: RotationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Subclasses set `name` explicitly: minifiers rename classes, and Lambda reports `name` as errorType.
    this.name = 'RotationError';
    this.code = code;
    this.step = options.step;
    this.retryable = options.retryable ?? false;
  }

  /** `instanceof` fails across two copies of this package; the marker does not. */
  static isInstance(value: unknown): value is RotationError {
    return typeof value === 'object' && value !== null && ROTATION_ERROR_MARKER in value;
  }
}

type SubclassOptions = RotationErrorOptions;

/** The Lambda event is not a Secrets Manager rotation event. */
export class InvalidRotationEventError extends RotationError {
  override readonly name: string = 'InvalidRotationEventError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('INVALID_EVENT', message, options);
  }
}

/** Options given to an engine factory, a handler or an app's environment are invalid. */
export class InvalidConfigurationError extends RotationError {
  override readonly name: string = 'InvalidConfigurationError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('INVALID_CONFIGURATION', message, options);
  }
}

/** DescribeSecret says rotation is turned off for the secret. */
export class RotationNotEnabledError extends RotationError {
  override readonly name: string = 'RotationNotEnabledError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('ROTATION_NOT_ENABLED', message, options);
  }
}

/** The token is not a version of the secret, or is not AWSPENDING, or AWSCURRENT is missing. */
export class InvalidVersionStageError extends RotationError {
  override readonly name: string = 'InvalidVersionStageError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('INVALID_VERSION_STAGE', message, options);
  }
}

/** A secret value is not JSON, or does not match the engine's schema. */
export class InvalidSecretError extends RotationError {
  override readonly name: string = 'InvalidSecretError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('INVALID_SECRET', message, options);
  }
}

/** Secrets Manager refused or failed a call. Throttling and 5xx are retryable. */
export class SecretStoreError extends RotationError {
  override readonly name: string = 'SecretStoreError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('SECRET_STORE_FAILED', message, options);
  }
}

/** The target refused a login with the given credentials. */
export class CredentialRejectedError extends RotationError {
  override readonly name: string = 'CredentialRejectedError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('CREDENTIAL_REJECTED', message, options);
  }
}

/**
 * testSecret could not attempt a login (no route to the target's data plane) and the login test is
 * required. Not retryable: it needs a configuration change, or the explicit opt-out ROTOR_LOGIN_TEST=off.
 */
export class LoginTestUnavailableError extends RotationError {
  override readonly name: string = 'LoginTestUnavailableError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('LOGIN_TEST_UNAVAILABLE', message, options);
  }
}

/** The user named by the secret does not exist on the target. */
export class UserNotFoundError extends RotationError {
  override readonly name: string = 'UserNotFoundError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('USER_NOT_FOUND', message, options);
  }
}

/** The principal is not allowed to perform the change. */
export class PermissionDeniedError extends RotationError {
  override readonly name: string = 'PermissionDeniedError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('PERMISSION_DENIED', message, options);
  }
}

/** The target could not be reached (network, DNS, TLS, service outage). Retryable. */
export class EngineUnavailableError extends RotationError {
  override readonly name: string = 'EngineUnavailableError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('ENGINE_UNAVAILABLE', message, { retryable: true, ...options });
  }
}

/** A wait ran out of time (configured maximum or Lambda deadline). Retryable: the next run resumes. */
export class StepTimeoutError extends RotationError {
  override readonly name: string = 'StepTimeoutError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('STEP_TIMEOUT', message, { retryable: true, ...options });
  }
}

/**
 * The rotation's version lost AWSPENDING while the rotation ran: someone created a new version (an
 * operator's PutSecretValue, another tool), and Secrets Manager abandons a rotation when that happens. The
 * message says what the function found and what it did about the target. Not retryable: nothing will
 * drive this rotation again.
 */
export class RotationAbandonedError extends RotationError {
  override readonly name: string = 'RotationAbandonedError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('ROTATION_ABANDONED', message, options);
  }

  static isAbandoned(value: unknown): boolean {
    return RotationError.isInstance(value) && value.code === 'ROTATION_ABANDONED';
  }
}

/** Wrapper for an unexpected engine failure. */
export class EngineError extends RotationError {
  override readonly name: string = 'EngineError';
  constructor(message: string, options: SubclassOptions = {}) {
    super('ENGINE_FAILED', message, options);
  }
}
