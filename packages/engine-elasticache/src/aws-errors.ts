import {
  EngineError,
  EngineUnavailableError,
  PermissionDeniedError,
  type RotationError,
  type RotationStep,
  UserNotFoundError,
} from '@rotor/core/engine';

const NOT_FOUND = new Set(['UserNotFoundFault', 'UserNotFound']);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AccessDeniedFault',
  'UnauthorizedOperation',
  'NotAuthorized',
  'ServiceLinkedRoleNotFoundFault',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);
/** The user or group is busy applying an earlier change: waiting and retrying succeeds. */
const BUSY = new Set(['InvalidUserStateFault', 'InvalidUserState', 'InvalidUserGroupStateFault']);
const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'NetworkingError',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

export function awsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const candidate = error as AwsLikeError;
  return candidate.name && candidate.name !== 'Error'
    ? candidate.name
    : (candidate.code ?? candidate.Code ?? candidate.name ?? 'UnknownError');
}

/** Replaces every listed value in `text`; the messages we build never contain one, service text might. */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join('[REDACTED]');
  return result;
}

/**
 * Turns an ElastiCache SDK failure into Rotor's error for it. `what` names the call and the user (no
 * secret material); `secrets` are scrubbed from the service's own message before it is quoted.
 */
export function toRotationError(
  error: unknown,
  what: string,
  options: { step?: RotationStep | undefined; secrets?: readonly string[] } = {},
): RotationError {
  const name = awsErrorName(error);
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const detail = withoutSecrets(String(candidate.message ?? ''), options.secrets ?? []);
  const message = `${what} failed: ${name}${detail ? ` (${detail})` : ''}`;
  const base = { step: options.step, cause: error };
  if (NOT_FOUND.has(name)) return new UserNotFoundError(message, base);
  if (ACCESS_DENIED.has(name)) {
    return new PermissionDeniedError(
      `${message}; the function's IAM role needs this elasticache permission on the user`,
      base,
    );
  }
  const status = candidate.$metadata?.httpStatusCode ?? 0;
  if (
    THROTTLED.has(name) ||
    candidate.$retryable?.throttling === true ||
    candidate.$fault === 'server' ||
    status >= 500 ||
    NETWORK.has(name)
  ) {
    return new EngineUnavailableError(message, base);
  }
  if (BUSY.has(name)) {
    return new EngineUnavailableError(`${message}; it is applying an earlier change, retry later`, base);
  }
  return new EngineError(message, base);
}
