import { validationError } from './sql-parameters.js';

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${name} must be a string.`);
  return value;
}

export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === '') throw validationError(`${name} is required.`);
  return value;
}

/** NextToken is the (encoded) offset of the next page. */
export function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw validationError('NextToken is not valid.');
  return offset;
}

export const encodeToken = (offset: number) => Buffer.from(String(offset), 'utf8').toString('base64url');
