/**
 * AWS's own service models as the SDK for JavaScript v3 ships them (the compact Smithy schemas each
 * `@aws-sdk/client-*` exports as `<Shape>$`, and the enum types of its `.d.ts` models), and a checker that
 * holds an emulated response against them: required members present, every member known, values of the
 * modelled type, enum values among the model's, error codes among the service's modelled errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

type SchemaRef = unknown;

export interface ServiceModel {
  readonly packageName: string;
  /** The output structure of an operation. */
  outputOf(operation: string): unknown[];
  /** Modelled error codes: shape names and their awsQuery codes. */
  readonly errorCodes: ReadonlySet<string>;
  /** Enum values of a structure's member, from the `.d.ts` models (the compact schemas drop enum traits). */
  enumOf(structure: string, member: string): readonly string[] | undefined;
}

export function loadServiceModel(packageName: string): ServiceModel {
  const module = require(packageName) as Record<string, unknown>;
  const packageDir = dirname(dirname(require.resolve(packageName)));
  const errorCodes = new Set<string>();
  for (const registry of module.errorTypeRegistries as Array<{ schemas: Map<string, unknown[]> }>) {
    for (const schema of registry.schemas.values()) {
      if (schema[0] !== -3) continue;
      errorCodes.add(schema[2] as string);
      const queryError = (schema[3] as { awsQueryError?: [string, number] }).awsQueryError;
      if (queryError) errorCodes.add(queryError[0]);
    }
  }
  const enums = new Map<string, readonly string[]>();
  const modelsDir = join(packageDir, 'dist-types/models');
  for (const file of readdirSync(modelsDir).filter((name) => /^models_\d+\.d\.ts$/.test(name))) {
    let current: string | undefined;
    for (const line of readFileSync(join(modelsDir, file), 'utf8').split('\n')) {
      const opened = /^export interface (\w+) \{/.exec(line);
      if (opened) {
        current = opened[1];
        continue;
      }
      const member = /^ {4}(\w+)\??: (\w+)(\[\])? \| undefined;/.exec(line);
      if (!current || !member) continue;
      const values = module[member[2]!];
      if (values && typeof values === 'object' && !Array.isArray(values)) {
        const strings = Object.values(values as Record<string, unknown>);
        if (strings.every((value) => typeof value === 'string')) {
          enums.set(`${current}.${member[1]}`, strings as string[]);
        }
      }
    }
  }
  return {
    packageName,
    outputOf(operation) {
      const op = module[`${operation}$`] as unknown[] | undefined;
      if (!op) throw new Error(`${packageName} models no operation ${operation}`);
      return deref(op[5]) as unknown[];
    },
    errorCodes,
    enumOf: (structure, member) => enums.get(`${structure}.${member}`),
  };
}

const deref = (ref: SchemaRef): unknown => (typeof ref === 'function' ? (ref as () => unknown)() : ref);

/** A member entry is `ref` or `[ref, traits]`; a schema array is longer. */
function memberSchema(entry: unknown): { ref: SchemaRef; traits: Record<string, unknown> | number } {
  if (Array.isArray(entry) && entry.length === 2) return { ref: entry[0], traits: entry[1] };
  return { ref: entry, traits: 0 };
}

const HTTP_BOUND_BITS = 0b11_0000; // httpPayload, httpResponseCode
function boundToHttp(traits: Record<string, unknown> | number): boolean {
  if (typeof traits === 'number') return (traits & HTTP_BOUND_BITS) !== 0;
  return (
    'httpHeader' in traits || 'httpPayload' in traits || 'httpResponseCode' in traits || 'httpQuery' in traits
  );
}

export interface CheckOptions {
  /** `raw`: the JSON on the wire (epoch-second numbers, base64 blobs; unknown members detectable).
   *  `sdk`: what the SDK deserialized (Dates, Uint8Arrays; unknown members already dropped). */
  mode: 'raw' | 'sdk';
}

/** Problems of `value` against the structure `schema`, each with its path; empty when it conforms. */
export function checkShape(
  model: ServiceModel,
  value: unknown,
  schema: unknown,
  options: CheckOptions,
): string[] {
  const problems: string[] = [];
  const visit = (current: unknown, ref: SchemaRef, path: string, enumValues?: readonly string[]) => {
    const shape = deref(ref);
    if (current === undefined || current === null) return;
    if (typeof shape === 'number') {
      if (shape & 64) return visitList(current, shape & ~64, path, enumValues);
      if (shape & 128) return visitMap(current, shape & ~128, path);
      return visitSimple(current, shape, path, enumValues);
    }
    if (!Array.isArray(shape)) return; // document or unknown: anything goes
    switch (shape[0]) {
      case 0:
        return visit(current, shape[4], path, enumValues);
      case 1:
        return visitList(current, shape[4], path, enumValues);
      case 2:
        return visitMap(current, shape[5], path);
      case 3:
      case -3:
      case 4:
        return visitStructure(current, shape, path);
      default:
        return;
    }
  };
  const visitSimple = (current: unknown, code: number, path: string, enumValues?: readonly string[]) => {
    if (code === 0 || code === 15) {
      if (code === 0 && typeof current !== 'string')
        problems.push(`${path}: expected a string, got ${typeof current}`);
      else if (enumValues && !enumValues.includes(current as string)) {
        problems.push(
          `${path}: ${JSON.stringify(current)} is not one of the model's values [${enumValues.join(', ')}]`,
        );
      }
      return;
    }
    if (code === 1 || code === 17 || code === 19) {
      if (typeof current !== 'number') problems.push(`${path}: expected a number, got ${typeof current}`);
      return;
    }
    if (code === 2) {
      if (typeof current !== 'boolean') problems.push(`${path}: expected a boolean, got ${typeof current}`);
      return;
    }
    if (code >= 4 && code <= 7) {
      const ok =
        options.mode === 'sdk'
          ? current instanceof Date && !Number.isNaN(current.getTime())
          : typeof current === 'number' || typeof current === 'string';
      if (!ok) problems.push(`${path}: expected a timestamp, got ${JSON.stringify(current)}`);
      return;
    }
    if (code === 21 || code === 42) {
      const ok = options.mode === 'sdk' ? current instanceof Uint8Array : typeof current === 'string';
      if (!ok) problems.push(`${path}: expected a blob`);
    }
  };
  const visitList = (current: unknown, itemRef: SchemaRef, path: string, enumValues?: readonly string[]) => {
    if (!Array.isArray(current)) {
      problems.push(`${path}: expected a list`);
      return;
    }
    for (const [index, item] of current.entries()) visit(item, itemRef, `${path}[${index}]`, enumValues);
  };
  const visitMap = (current: unknown, valueRef: SchemaRef, path: string) => {
    if (typeof current !== 'object' || Array.isArray(current)) {
      problems.push(`${path}: expected a map`);
      return;
    }
    for (const [key, item] of Object.entries(current as object)) visit(item, valueRef, `${path}.${key}`);
  };
  const visitStructure = (current: unknown, shape: unknown[], path: string) => {
    if (typeof current !== 'object' || Array.isArray(current)) {
      problems.push(`${path}: expected a structure`);
      return;
    }
    const name = shape[2] as string;
    const members = shape[4] as string[];
    const schemas = shape[5] as unknown[];
    const required = (shape[6] as number | undefined) ?? 0;
    const record = current as Record<string, unknown>;
    members.slice(0, required).forEach((member, index) => {
      if (boundToHttp(memberSchema(schemas[index]).traits)) return;
      if (record[member] === undefined) problems.push(`${path}.${member}: required by ${name}, missing`);
    });
    for (const [key, item] of Object.entries(record)) {
      if (options.mode === 'sdk' && key === '$metadata') continue;
      const index = members.indexOf(key);
      if (index < 0) {
        if (options.mode === 'raw') problems.push(`${path}.${key}: not a member of ${name}`);
        continue;
      }
      const { ref, traits } = memberSchema(schemas[index]);
      if (options.mode === 'raw' && boundToHttp(traits)) {
        problems.push(`${path}.${key}: bound to HTTP (header/status/payload), not the body`);
        continue;
      }
      visit(item, ref, `${path}.${key}`, model.enumOf(name, key));
    }
  };
  visit(value, schema, '$');
  return problems;
}
