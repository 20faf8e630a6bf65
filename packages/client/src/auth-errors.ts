import { RotationError } from '@rotor/core/errors';

/**
 * Which failures mean "these credentials were refused". Only those justify a secret refresh and a
 * retry with other credentials; a network failure with a good password must not churn Secrets Manager.
 */
export type FailureKind = 'authentication' | 'configuration' | 'network' | 'other';

/**
 * PostgreSQL (and Redshift) SQLSTATEs for a refused login: 28P01 invalid_password, 28000
 * invalid_authorization_specification (e.g. a pg_hba reject), as AWS's JDBC libraries classify them.
 */
const PG_AUTH_SQLSTATES = new Set(['28P01', '28000']);

/**
 * Redis replies to a refused AUTH/HELLO: WRONGPASS (Redis 6+), NOAUTH (a command before AUTH), and
 * Redis 5's "ERR invalid password".
 */
const REDIS_AUTH_PREFIXES = ['WRONGPASS', 'NOAUTH', 'ERR invalid password'];

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

const NETWORK_MESSAGES = [
  /^Connection terminated/,
  /^connect ETIMEDOUT/,
  /^timeout expired/,
  /^Connection is closed/,
  /socket hang up/,
];

export function classifyError(error: unknown): FailureKind {
  if (isAuthenticationFailure(error)) return 'authentication';
  if (isConfigurationFailure(error)) return 'configuration';
  if (isNetworkFailure(error)) return 'network';
  return 'other';
}

/** True for a login the server refused, looking at the error and its direct cause. */
export function isAuthenticationFailure(error: unknown): boolean {
  return isAuthenticationError(error) || isAuthenticationError(causeOf(error));
}

/**
 * True for errors no retry can cure: a secret that is not JSON or lacks a login field, options or an
 * environment that cannot work (no AWS region). Drivers stop reconnecting on them and fail queued
 * commands with this error, instead of retrying forever.
 */
export function isConfigurationFailure(error: unknown): boolean {
  return (
    RotationError.isInstance(error) &&
    (error.code === 'INVALID_SECRET' || error.code === 'INVALID_CONFIGURATION')
  );
}

function isAuthenticationError(error: unknown): boolean {
  if (!isObject(error)) return false;
  const code = error['code'];
  if (typeof code === 'string' && PG_AUTH_SQLSTATES.has(code)) return true;
  const message = error['message'];
  if (typeof message === 'string' && REDIS_AUTH_PREFIXES.some((prefix) => message.startsWith(prefix))) {
    return true;
  }
  return false;
}

function isNetworkFailure(error: unknown): boolean {
  if (!isObject(error)) return false;
  if (error instanceof AggregateError) return error.errors.some(isNetworkFailure);
  const code = error['code'];
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = error['message'];
  if (typeof message === 'string' && NETWORK_MESSAGES.some((pattern) => pattern.test(message))) return true;
  const cause = causeOf(error);
  return cause !== undefined && cause !== error && isNetworkFailure(cause);
}

function causeOf(error: unknown): unknown {
  return isObject(error) ? error['cause'] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
