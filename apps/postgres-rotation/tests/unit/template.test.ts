/**
 * The SAM template deploys the built zip with the variables of AWS's PostgreSQL functions, and what it sets is
 * what the function accepts: the environment, resolved with the parameter defaults, passes the app's own parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config.ts';

type Json = Record<string, unknown>;
const template = parse(readFileSync(join(import.meta.dirname, '../../template.yaml'), 'utf8')) as Json;
const resources = template.Resources as Record<
  string,
  { Type: string; Condition?: string; Properties: Json }
>;
const parameters = template.Parameters as Record<string, { Default?: unknown }>;
const fn = resources.RotationFunction!.Properties;
const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;

/** A variable's value with the parameter defaults (and the given values) in place of Ref. */
function resolved(given: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).flatMap(([name, value]) => {
      if (typeof value === 'string') return [[name, value]];
      const ref = (value as { Ref?: string }).Ref;
      if (ref === undefined) return []; // Fn::Sub of pseudo parameters: the endpoint URL, checked below
      return [[name, given[ref] ?? String(parameters[ref]?.Default ?? '')]];
    }),
  );
}

describe('template.yaml', () => {
  it('runs the zip the build writes, on nodejs22.x, with a timeout and log retention from parameters', () => {
    expect(fn).toMatchObject({
      CodeUri: 'dist/postgres-rotation.zip',
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Timeout: { Ref: 'TimeoutSeconds' },
    });
    expect(resources.RotationFunctionLogGroup!.Properties.RetentionInDays).toEqual({
      Ref: 'LogRetentionInDays',
    });
  });

  it("sets every password variable of AWS's PostgreSQL functions", () => {
    for (const name of [
      'EXCLUDE_CHARACTERS',
      'PASSWORD_LENGTH',
      'EXCLUDE_NUMBERS',
      'EXCLUDE_PUNCTUATION',
      'EXCLUDE_UPPERCASE',
      'EXCLUDE_LOWERCASE',
      'REQUIRE_EACH_INCLUDED_TYPE',
      'SECRETS_MANAGER_ENDPOINT',
    ]) {
      expect(variables, name).toHaveProperty(name);
    }
  });

  it('sets an environment the function accepts, with the defaults its engine uses', () => {
    const config = readConfig(resolved({ AllowedHosts: 'orders-db.internal:5432' }));
    expect(config).toMatchObject({
      strategy: 'auto',
      passwordSource: 'local',
      engine: {
        allowedHosts: ['orders-db.internal:5432'],
        tls: 'verify-full',
        password: {
          length: 32,
          excludeCharacters: '"\'\\/@:',
          excludeNumbers: false,
          excludePunctuation: false,
          excludeUppercase: false,
          excludeLowercase: false,
          requireEachIncludedType: true,
        },
      },
    });
    expect(config.engine).not.toHaveProperty('ca');
  });

  it('requires AllowedHosts (no default): the function refuses to start without it', () => {
    expect(parameters.AllowedHosts?.Default).toBeUndefined();
    expect(() => readConfig(resolved({}))).toThrow(/ROTOR_PG_ALLOWED_HOSTS/);
  });
});
