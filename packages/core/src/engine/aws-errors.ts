/**
 * One reading of AWS SDK (v3) failures for every engine and for core's Secrets Manager store: what kind
 * of failure it is, and whether trying again later can succeed. Engines still decide what a kind means
 * for them (a missing cluster named by the configuration is a configuration error, one named by the
 * secret is a bad secret) and turn it into a RotationError.
 */

/**
 * - `throttled`: the service asked to slow down;
 * - `unavailable`: a network failure, a timeout or a server-side (5xx) fault;
 * - `not-found`: the named resource does not exist (`...NotFound`, `...NotFoundFault`, `...NotFoundException`);
 * - `access-denied`: the function's IAM role may not do this;
 * - `credentials`: the function's AWS credentials were refused (expired, unknown, bad signature);
 * - `other`: anything else (validation, a state the caller must handle).
 */
export type AwsErrorKind =
  | 'throttled'
  | 'unavailable'
  | 'not-found'
  | 'access-denied'
  | 'credentials'
  | 'other';

export interface AwsErrorClass {
  /** The SDK's error name (`ThrottlingException`, `UserNotFoundFault`, `ECONNRESET`, ...). */
  name: string;
  kind: AwsErrorKind;
  /** `throttled` and `unavailable`: the same call can succeed later. */
  retryable: boolean;
  /** The service's message, as it is (callers scrub it before quoting it). */
  message: string;
}

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AccessDeniedFault',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
  'ServiceLinkedRoleNotFoundFault',
]);
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'CredentialsProviderError',
]);
const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const SERVER_FAULT = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const NOT_FOUND = /NotFound(Fault|Exception)?$/;

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number } | undefined;
}

/** The SDK's error name; for Node network errors, their code (`ECONNRESET`). */
export function awsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const candidate = error as AwsLikeError;
  const named = typeof candidate.name === 'string' && candidate.name !== 'Error' ? candidate.name : undefined;
  const coded = [candidate.code, candidate.Code].find((value): value is string => typeof value === 'string');
  return named ?? coded ?? (typeof candidate.name === 'string' ? candidate.name : 'UnknownError');
}

/** Classifies an AWS SDK failure (or a network error on the way to AWS). */
export function classifyAwsError(error: unknown): AwsErrorClass {
  const name = awsErrorName(error);
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  const status = candidate.$metadata?.httpStatusCode ?? 0;
  const classify = (kind: AwsErrorKind): AwsErrorClass => ({
    name,
    kind,
    retryable: kind === 'throttled' || kind === 'unavailable',
    message,
  });
  if (ACCESS_DENIED.has(name)) return classify('access-denied');
  if (CREDENTIALS.has(name)) return classify('credentials');
  if (NOT_FOUND.test(name)) return classify('not-found');
  if (THROTTLED.has(name) || candidate.$retryable?.throttling === true || status === 429) {
    return classify('throttled');
  }
  if (
    NETWORK.has(name) ||
    SERVER_FAULT.has(name) ||
    candidate.$fault === 'server' ||
    candidate.$retryable !== undefined ||
    status >= 500
  ) {
    return classify('unavailable');
  }
  return classify('other');
}
