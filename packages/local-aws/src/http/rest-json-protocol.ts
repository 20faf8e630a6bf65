import type { ServerResponse } from 'node:http';
import type { RestResponse } from '../service.js';

/**
 * restJson1 wire format (Lambda): the status code carries meaning (201 created, 204 no content), outputs
 * are JSON (Invoke's payload passes through as is), and errors are `{"Type": "User", "message": ...}` with
 * the `x-amzn-errortype` header, which botocore and SDK v3 read for the error code.
 */
export function writeRestResult(res: ServerResponse, requestId: string, output: RestResponse): void {
  const body = output.json !== undefined ? JSON.stringify(output.json) : (output.raw ?? '');
  res.writeHead(output.statusCode, {
    ...(body !== '' ? { 'content-type': 'application/json' } : {}),
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...output.headers,
  });
  res.end(body);
}

export function writeRestError(
  res: ServerResponse,
  requestId: string,
  error: { code: string; message: string; statusCode: number },
): void {
  const body = JSON.stringify({ Type: error.statusCode >= 500 ? 'Service' : 'User', message: error.message });
  res.writeHead(error.statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  res.end(body);
}
