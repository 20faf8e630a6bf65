/**
 * ElastiCache's meaning of the AWS failures core's `classifyAwsError` sorts: which RotationError each becomes
 * for a control-plane call. Passwords go into requests only; the service's own message is scrubbed of them
 * before it is quoted.
 */
import {
  awsErrorName,
  classifyAwsError,
  EngineError,
  EngineUnavailableError,
  PermissionDeniedError,
  type RotationError,
  type RotationStep,
  UserNotFoundError,
} from '@rotor/core/engine';

export { awsErrorName };

/** The user named by the call does not exist (other `...NotFound` faults are the caller's to handle). */
const USER_NOT_FOUND = new Set(['UserNotFoundFault', 'UserNotFound']);
/** The user or group is busy applying an earlier change: waiting and retrying succeeds. */
const BUSY = new Set(['InvalidUserStateFault', 'InvalidUserState', 'InvalidUserGroupStateFault']);

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
  const { name, kind, retryable, message: serviceMessage } = classifyAwsError(error);
  const detail = withoutSecrets(serviceMessage, options.secrets ?? []);
  const message = `${what} failed: ${name}${detail ? ` (${detail})` : ''}`;
  const base = { step: options.step, cause: error };
  if (USER_NOT_FOUND.has(name)) return new UserNotFoundError(message, base);
  if (kind === 'access-denied' || kind === 'credentials') {
    return new PermissionDeniedError(
      `${message}; the function's IAM role needs this elasticache permission on the user`,
      base,
    );
  }
  if (retryable) return new EngineUnavailableError(message, base);
  if (BUSY.has(name)) {
    return new EngineUnavailableError(`${message}; it is applying an earlier change, retry later`, base);
  }
  return new EngineError(message, base);
}
