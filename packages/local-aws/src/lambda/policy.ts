/**
 * A function's resource-based policy (AddPermission statements) and Lambda's check of it when another service
 * (Secrets Manager) asks to invoke the function.
 */
/** One AddPermission statement: who may invoke the function, optionally only for one source. */
export interface PermissionStatement {
  readonly sid: string;
  readonly action: string;
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
}

/** Who asks to invoke a function: a service principal acting for a resource of an account. */
export interface InvokeRequester {
  readonly principal: string;
  readonly sourceArn: string;
  readonly sourceAccount: string;
}

/** `*` and `?` as in ArnLike / StringLike conditions. */
function likePattern(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Whether the function's policy lets `requester` invoke it (Lambda's resource-based policy check). */
export function policyPermits(
  policy: readonly PermissionStatement[] | undefined,
  requester: InvokeRequester,
): boolean {
  // Undefined: a function registered by configuration, pre-authorized.
  if (policy === undefined) return true;
  return policy.some(
    (statement) =>
      (statement.action === 'lambda:InvokeFunction' || statement.action === 'lambda:*') &&
      (statement.principal === requester.principal || statement.principal === '*') &&
      (statement.sourceArn === undefined || likePattern(statement.sourceArn).test(requester.sourceArn)) &&
      (statement.sourceAccount === undefined || statement.sourceAccount === requester.sourceAccount),
  );
}
