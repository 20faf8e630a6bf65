import { AwsApiError } from '../../service.js';
import type { FunctionHost, RegisteredFunction } from '../function-host.js';
import type { LambdaRequest } from './context.js';

export type Input = Record<string, unknown>;

export function invalidValue(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterValueException', message);
}

/** Lambda's model validation failures (length, pattern, range) are ValidationException with this prefix. */
export function validation(message: string): AwsApiError {
  return new AwsApiError('ValidationException', `1 validation error detected: ${message}`);
}

export function jsonBody(request: LambdaRequest): Input {
  if (request.body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Input;
  } catch {
    // fall through
  }
  throw new AwsApiError('InvalidRequestContentException', 'Could not parse request body into json.');
}

export function optionalString(input: Input, name: string, max = 2048): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw validation(`Value at '${name}' failed to satisfy constraint: Member must be a string`);
  if (value.length > max) {
    throw validation(
      `Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  return value;
}

export function requiredString(input: Input, name: string, max = 2048): string {
  const value = optionalString(input, name, max);
  if (value === undefined || value === '') {
    throw validation(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

export function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validation(
      `Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return value;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

/** The function a FunctionName (name, full ARN or `account:function:name`) names; 404 when none. */
export function requireFunction(
  host: FunctionHost,
  functionName: string,
  request: LambdaRequest,
): RegisteredFunction {
  const partial = /^(\d{12}):function:([^:]+)(?::[^:]+)?$/.exec(functionName);
  const fn =
    partial !== null
      ? partial[1] === request.service.accountId
        ? host.resolve(partial[2]!)
        : undefined
      : host.resolve(functionName);
  if (!fn) {
    const name = partial?.[2] ?? functionName.split(':function:')[1]?.split(':')[0] ?? functionName;
    throw new AwsApiError(
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${request.service.region}:${request.service.accountId}:function:${name}`,
      404,
    );
  }
  return fn;
}

export function validName(name: string): string {
  if (!NAME.test(name)) {
    throw validation(
      `Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ (1 to 64 characters)`,
    );
  }
  return name;
}
