/**
 * Turns driver and Data API failures into Rotor's errors. Messages name the host, user and error code,
 * never a password or hash: server texts are cut to their first line and any md5 hash in them is masked.
 */
import {
  CredentialRejectedError,
  EngineError,
  EngineUnavailableError,
  InvalidSecretError,
  PermissionDeniedError,
  type RotationError,
  type RotationStep,
  UserNotFoundError,
} from '@rotor/core/engine';

export interface FailureContext {
  /** What was being done: "log in as \"app\" at host:5439", "change the password of \"app\"" ... */
  action: string;
  step?: RotationStep | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;
const TLS_MESSAGE = /does not support SSL|self[- ]signed|certificate|\bSSL\b|\bTLS\b/i;
/** Where the TLS mode is set, so a TLS failure names the setting that changes it. */
const TLS_SETTING_HINT =
  "The TLS mode is set where the engine is configured (ROTOR_REDSHIFT_TLS in Rotor's Redshift function: verify-full by default; require skips certificate checks, disable turns TLS off for a server without it).";
/** SQLSTATEs that mean "try again later": connection exceptions, too many connections, starting up/shutting down. */
const RETRYABLE_SQLSTATE = /^(08|53|57P0[1-3])/;

/** Authentication refused: invalid_password, invalid_authorization_specification. */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = sqlState(error);
  return code === '28P01' || code === '28000';
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** First line of a server or driver message, with anything that looks like an md5 password hash masked. */
export function safeServerMessage(message: string | undefined): string {
  const firstLine = (message ?? '').split('\n')[0] ?? '';
  return firstLine.replace(/md5[0-9a-f]{32}/gi, 'md5[hash]').slice(0, 300);
}

/** Maps a node-postgres (or network/TLS) failure. */
export function mapPgError(error: unknown, context: FailureContext): RotationError {
  const options = { step: context.step, cause: error };
  const code = (error as { code?: unknown } | null)?.code;
  const message = safeServerMessage((error as { message?: string } | null)?.message);
  const state = sqlState(error);
  if (state === '28P01' || state === '28000') {
    return new CredentialRejectedError(
      `Could not ${context.action}: authentication refused (${state}: ${message})`,
      options,
    );
  }
  if (state === '42704') {
    return new UserNotFoundError(
      `Could not ${context.action}: the user does not exist (${message})`,
      options,
    );
  }
  if (state === '42501') {
    return new PermissionDeniedError(`Could not ${context.action}: permission denied (${message})`, options);
  }
  if (state === '3D000') {
    return new InvalidSecretError(
      `Could not ${context.action}: the database named by the secret does not exist (${message})`,
      options,
    );
  }
  // A TLS failure is not an unreachable server: say TLS, and name the setting that changes the TLS mode.
  if ((typeof code === 'string' && TLS_CODE.test(code)) || TLS_MESSAGE.test(message)) {
    return new EngineUnavailableError(
      `Could not ${context.action}: TLS failed (${typeof code === 'string' ? `${code}: ` : ''}${message}); the server does not speak TLS or its certificate is not trusted. ${TLS_SETTING_HINT}`,
      options,
    );
  }
  if (
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (state !== undefined && RETRYABLE_SQLSTATE.test(state)) ||
    /timeout|terminated|ECONNREFUSED|getaddrinfo/i.test(message)
  ) {
    return new EngineUnavailableError(
      `Could not ${context.action}: the server is unreachable (${typeof code === 'string' ? `${code}: ` : ''}${message})`,
      options,
    );
  }
  return new EngineError(
    `Could not ${context.action}: ${state ? `${state}: ` : ''}${message || 'unknown error'}`,
    options,
  );
}
