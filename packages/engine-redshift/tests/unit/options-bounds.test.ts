import { InvalidConfigurationError } from '@rotor/core/engine';
import { describe, expect, it } from 'vitest';
import { parseRedshiftOptions, type RedshiftEngineOptions } from '../../src/redshift-options.ts';

/** Every numeric option with its inclusive bounds: both bounds accepted, one past each refused, integers only. */
const BOUNDS = [
  ['pg', 'connectTimeoutMs', 100, 60_000],
  ['pg', 'queryTimeoutMs', 100, 300_000],
  ['dataApi', 'statementTimeoutMs', 1_000, 900_000],
  ['dataApi', 'pollIntervalMs', 10, 10_000],
] as const;

function withOption(group: 'pg' | 'dataApi', name: string, value: unknown): RedshiftEngineOptions {
  return { [group]: { [name]: value } } as RedshiftEngineOptions;
}

describe('numeric option bounds', () => {
  it.each(BOUNDS)('accepts %s.%s at %i, at %i and in between', (group, name, min, max) => {
    for (const value of [min, Math.round((min + max) / 2), max]) {
      const resolved = parseRedshiftOptions(withOption(group, name, value));
      expect((resolved[group] as Record<string, unknown>)[name]).toBe(value);
    }
  });

  it.each(BOUNDS)('refuses %s.%s below %i, above %i, fractional or as text', (group, name, min, max) => {
    for (const value of [min - 1, max + 1, min + 0.5, String(min), 0, -1]) {
      expect(() => parseRedshiftOptions(withOption(group, name, value)), `${name} = ${value}`).toThrow(
        InvalidConfigurationError,
      );
    }
    // The refusal names the option, so the operator knows which one to fix.
    expect(() => parseRedshiftOptions(withOption(group, name, max + 1))).toThrow(new RegExp(name));
  });

  it('fills in the documented defaults when nothing is given', () => {
    const resolved = parseRedshiftOptions({});
    expect(resolved.pg).toMatchObject({
      tls: 'verify-full',
      connectTimeoutMs: 5_000,
      queryTimeoutMs: 30_000,
    });
    expect(resolved.dataApi).toMatchObject({
      auth: 'secret-arn',
      loginCheck: 'pg',
      statementTimeoutMs: 60_000,
      pollIntervalMs: 100,
    });
    // A group given in part keeps the defaults of the fields it leaves out.
    expect(parseRedshiftOptions({ pg: { tls: 'require' } }).pg).toMatchObject({
      connectTimeoutMs: 5_000,
      queryTimeoutMs: 30_000,
    });
  });
});

describe('string and list options', () => {
  it.each([
    [{ allowedHosts: [] }, 'allowedHosts'],
    [{ allowedHosts: [''] }, 'allowedHosts'],
    [{ clusterIdentifier: '' }, 'clusterIdentifier'],
    [{ workgroupName: '' }, 'workgroupName'],
    [{ controlPlane: { region: '' } }, 'region'],
    [{ pg: { ca: '' } }, 'ca'],
    [{ dataApi: { region: '' } }, 'region'],
    [{ dataApi: { endpoint: 'not a url' } }, 'endpoint'],
    [{ pg: { tls: 'prefer' } }, 'tls'],
    [{ transport: 'odbc' }, 'transport'],
    [{ dialect: 'mysql' }, 'dialect'],
    [{ copyPrivileges: 'always' }, 'copyPrivileges'],
    [{ pg: { unknownKey: 1 } }, 'unknownKey'],
  ])('refuses %j, naming %s', (options, name) => {
    expect(() => parseRedshiftOptions(options as RedshiftEngineOptions)).toThrow(InvalidConfigurationError);
    expect(() => parseRedshiftOptions(options as RedshiftEngineOptions)).toThrow(new RegExp(name));
  });

  it('accepts one allowed host, a cluster or a workgroup, a CA and an endpoint URL', () => {
    expect(parseRedshiftOptions({ allowedHosts: ['db.example:5439'] }).allowedHosts).toEqual([
      'db.example:5439',
    ]);
    expect(parseRedshiftOptions({ clusterIdentifier: 'c' }).clusterIdentifier).toBe('c');
    expect(parseRedshiftOptions({ workgroupName: 'w' }).workgroupName).toBe('w');
    expect(parseRedshiftOptions({ pg: { ca: 'PEM' } }).pg.ca).toBe('PEM');
    expect(parseRedshiftOptions({ dataApi: { endpoint: 'https://vpce.example' } }).dataApi.endpoint).toBe(
      'https://vpce.example',
    );
  });

  it('refuses a cluster and a workgroup together', () => {
    expect(() => parseRedshiftOptions({ clusterIdentifier: 'c', workgroupName: 'w' })).toThrow(
      /clusterIdentifier or workgroupName, not both/,
    );
  });
});
