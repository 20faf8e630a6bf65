import type { ServerResponse } from 'node:http';

/**
 * awsJson1_1 wire format as SDK v3 clients, botocore and the aws CLI parse it: the output object as JSON
 * with `application/x-amz-json-1.1`; errors as `{"__type": code, "message": ...}` plus the
 * `x-amzn-errortype` header, which the SDK reads first.
 */
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Splits `X-Amz-Target: secretsmanager.GetSecretValue` into prefix and operation. */
export function parseAmzTarget(target: string): { prefix: string; operation: string } | undefined {
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) return undefined;
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

/** Parses a JSON request body; an empty body is an empty input, as the SDK sends `{}` for no members. */
export function parseJsonBody(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeJsonResult(
  res: ServerResponse,
  requestId: string,
  output: Record<string, unknown>,
): void {
  const body = JSON.stringify(output);
  res.writeHead(200, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

export function writeJsonError(
  res: ServerResponse,
  requestId: string,
  error: { code: string; message: string; statusCode: number },
): void {
  const body = JSON.stringify({ __type: error.code, message: error.message });
  res.writeHead(error.statusCode, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  res.end(body);
}
