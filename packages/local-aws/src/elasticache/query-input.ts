/**
 * Readers for awsQuery request parameters as the SDK flattens them: lists are `Name.member.N` (1-based),
 * nested structures are dotted (`AuthenticationMode.Type`), booleans are `true`/`false`.
 */
import { AwsApiError } from '../service.js';

export function invalidValue(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterValue', message);
}

export function invalidCombination(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterCombination', message);
}

/** A parameter that must be present; AWS reports a missing one as MissingParameter. */
export function requiredString(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    throw new AwsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
}

export function optionalString(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

export function optionalBoolean(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const lowered = value.toLowerCase();
  if (lowered === 'true') return true;
  if (lowered === 'false') return false;
  throw invalidValue(`Invalid boolean value for parameter ${name}.`);
}

export function optionalInteger(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidValue(`Invalid integer value for parameter ${name}.`);
  return Number(value);
}

/**
 * `Prefix.member.1`, `Prefix.member.2`, ... in index order. Returns undefined when the list is absent; the
 * SDK sends `Prefix=` (empty) for an explicitly empty list, which reads as [].
 */
export function memberList(params: URLSearchParams, prefix: string): string[] | undefined {
  const entries: Array<[number, string]> = [];
  const pattern = new RegExp(`^${escapeRegExp(prefix)}\\.member\\.(\\d+)$`);
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (match) entries.push([Number(match[1]), value]);
  }
  if (entries.length === 0) return params.has(prefix) ? [] : undefined;
  return entries.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

export interface QueryFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** `Filters.member.N.Name` with `Filters.member.N.Values.member.M`. */
export function filterList(params: URLSearchParams, prefix: string): QueryFilter[] {
  const indexes = new Set<number>();
  const pattern = new RegExp(`^${escapeRegExp(prefix)}\\.member\\.(\\d+)\\.`);
  for (const key of params.keys()) {
    const match = pattern.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((index) => {
      const base = `${prefix}.member.${index}`;
      const name = params.get(`${base}.Name`);
      if (!name) throw invalidValue(`Filter ${index} has no Name.`);
      const values = memberList(params, `${base}.Values`) ?? [];
      if (values.length === 0) throw invalidValue(`Filter ${name} has no Values.`);
      return { name, values };
    });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
