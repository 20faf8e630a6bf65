/**
 * Redshift Data API named parameters: `:name` in the SQL, `Parameters: [{name, value}]` with string values
 * ("Amazon Redshift implicitly converts to the proper data type", API_SqlParameter). They become
 * PostgreSQL bind parameters `$n`, so values travel separately from the statement text.
 */
import { AwsApiError } from '../service.js';

export interface SqlParameter {
  readonly name: string;
  readonly value: string;
}

const NAME_PATTERN = /^[0-9a-zA-Z_]+$/;

export function validationError(message: string): AwsApiError {
  return new AwsApiError('ValidationException', message);
}

/** Validates the `Parameters` member as the API model does (name pattern, value at least 1 character). */
export function readParameters(input: unknown): SqlParameter[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input) || input.length === 0) {
    throw validationError('Parameters must be a list with at least one parameter.');
  }
  const seen = new Set<string>();
  return input.map((entry, index) => {
    const { name, value } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw validationError(`Parameters[${index}].name must match the pattern [0-9a-zA-Z_]+.`);
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw validationError(`Parameters[${index}].value must be a string of at least 1 character.`);
    }
    if (seen.has(name)) throw validationError(`Parameter ${name} is given more than once.`);
    seen.add(name);
    return { name, value };
  });
}

export interface BoundStatement {
  readonly text: string;
  readonly values: string[];
}

/**
 * Rewrites `:name` placeholders to `$n`. Placeholders inside string literals, quoted identifiers and
 * comments are left alone, and so are PostgreSQL casts (`x::int`). A placeholder without a parameter is a
 * ValidationException; unused parameters are allowed.
 */
export function bindParameters(sql: string, parameters: readonly SqlParameter[] | undefined): BoundStatement {
  const byName = new Map((parameters ?? []).map((parameter) => [parameter.name, parameter.value]));
  const order: string[] = [];
  let text = '';
  let index = 0;
  const copyUntil = (end: number) => {
    text += sql.slice(index, end);
    index = end;
  };
  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    if (char === "'" || char === '"') {
      let end = index + 1;
      while (end < sql.length) {
        if (sql[end] === char) {
          if (sql[end + 1] === char)
            end += 2; // doubled quote inside the literal
          else break;
        } else end++;
      }
      copyUntil(Math.min(end + 1, sql.length));
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', index);
      copyUntil(end < 0 ? sql.length : end);
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', index + 2);
      copyUntil(end < 0 ? sql.length : end + 2);
    } else if (char === ':' && next === ':') {
      copyUntil(index + 2);
    } else if (char === ':' && next !== undefined && /[0-9a-zA-Z_]/.test(next)) {
      const match = /^[0-9a-zA-Z_]+/.exec(sql.slice(index + 1));
      const name = match?.[0] ?? '';
      if (!byName.has(name)) {
        throw validationError(`The SQL refers to the parameter :${name}, which is not in Parameters.`);
      }
      let position = order.indexOf(name);
      if (position < 0) position = order.push(name) - 1;
      text += `$${position + 1}`;
      index += 1 + name.length;
    } else {
      copyUntil(index + 1);
    }
  }
  return { text, values: order.map((name) => byName.get(name) ?? '') };
}
