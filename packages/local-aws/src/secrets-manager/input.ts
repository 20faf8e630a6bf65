import { AwsApiError } from '../service.js';

/**
 * Readers for awsJson1_1 inputs. A wrong type is a SerializationException, a violated constraint a
 * ValidationException worded like AWS's request validator ("1 validation error detected: Value ... at
 * 'secretId' failed to satisfy constraint: ..."), so callers see the errors the real service sends.
 */
export type Input = Record<string, unknown>;

function memberName(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

function validation(field: string, value: unknown, constraint: string): AwsApiError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new AwsApiError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${memberName(field)}' failed to satisfy constraint: ${constraint}`,
  );
}

function wrongType(field: string, expected: string): AwsApiError {
  return new AwsApiError('SerializationException', `${field} must be ${expected}.`);
}

export interface StringRules {
  min?: number;
  max?: number;
}

export function optionalString(input: Input, field: string, rules: StringRules = {}): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  if (rules.min !== undefined && value.length < rules.min) {
    throw validation(field, value, `Member must have length greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && value.length > rules.max) {
    throw validation(field, value, `Member must have length less than or equal to ${rules.max}`);
  }
  return value;
}

export function requiredString(input: Input, field: string, rules: StringRules = {}): string {
  const value = optionalString(input, field, rules);
  if (value === undefined) throw validation(field, undefined, 'Member must not be null');
  return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
  return value;
}

export function optionalInteger(
  input: Input,
  field: string,
  rules: { min?: number; max?: number } = {},
): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'an integer');
  if (rules.min !== undefined && value < rules.min) {
    throw validation(field, value, `Member must have value greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && value > rules.max) {
    throw validation(field, value, `Member must have value less than or equal to ${rules.max}`);
  }
  return value;
}

export function optionalStringList(
  input: Input,
  field: string,
  rules: { minItems?: number; maxItems?: number } = {},
): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw wrongType(field, 'a list of strings');
  }
  if (rules.minItems !== undefined && value.length < rules.minItems) {
    throw validation(
      field,
      `[${value.join(', ')}]`,
      `Member must have length greater than or equal to ${rules.minItems}`,
    );
  }
  if (rules.maxItems !== undefined && value.length > rules.maxItems) {
    throw validation(
      field,
      `[${value.join(', ')}]`,
      `Member must have length less than or equal to ${rules.maxItems}`,
    );
  }
  return value as string[];
}

export function optionalObject(input: Input, field: string): Input | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'an object');
  return value as Input;
}

export function optionalObjectList(input: Input, field: string): Input[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))
  ) {
    throw wrongType(field, 'a list of objects');
  }
  return value as Input[];
}
