/**
 * Invoke (RequestResponse, Event, DryRun) through the function host; a function error is a 200 with
 * X-Amz-Function-Error and the error as payload, as Lambda answers. Direct callers are not checked against
 * the resource policy: on AWS their IAM identity decides, and the endpoint has no IAM.
 */
import { AwsApiError } from '../../service.js';
import type { LambdaContext, LambdaRequest, LambdaResponse } from './context.js';
import { requireFunction } from './input.js';

const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;

const header = (request: LambdaRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function invoke(context: LambdaContext, request: LambdaRequest): Promise<LambdaResponse> {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
    throw new AwsApiError(
      'ValidationException',
      `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    );
  }
  const logType = header(request, 'x-amz-log-type') ?? 'None';
  const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  if (Buffer.byteLength(request.body) > limit) {
    throw new AwsApiError(
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    );
  }
  let event: unknown = {};
  if (request.body.trim() !== '') {
    try {
      event = JSON.parse(request.body);
    } catch {
      throw new AwsApiError('InvalidRequestContentException', 'Could not parse request body into json.');
    }
  }
  if (invocationType === 'DryRun') return { statusCode: 204 };
  if (invocationType === 'Event') {
    context.host.invoke(fn, event).catch((error: unknown) => {
      context.logger.warn('lambda: asynchronous invocation failed', {
        functionName: fn.functionName,
        error: String(error),
      });
    });
    return { statusCode: 202 };
  }
  const { record, result } = await context.host.invoke(fn, event);
  const headers: Record<string, string> = { 'x-amz-executed-version': '$LATEST' };
  if (logType === 'Tail') {
    // The last 4 KB of the log, base64, as Lambda returns it.
    headers['x-amz-log-result'] = Buffer.from(record.logs.slice(-4096)).toString('base64');
  }
  if (record.outcome !== 'succeeded') {
    headers['x-amz-function-error'] = 'Unhandled';
    return {
      statusCode: 200,
      headers,
      raw: JSON.stringify({
        errorType: record.errorType ?? 'Error',
        errorMessage: record.errorMessage ?? '',
        trace: [],
      }),
    };
  }
  return { statusCode: 200, headers, raw: JSON.stringify(result ?? null) };
}
