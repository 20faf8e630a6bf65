/**
 * The options of `postgresEngine` (decision 0130: the conformance kit never varies an engine's configuration,
 * so these are what notice a bound or a default gone wrong). A bad option set fails when the engine is made,
 * with InvalidConfigurationError naming the option, before anything connects or asks RDS; a good one reaches
 * the driver as configured.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresEngineOptions, postgresEngine } from '@rotor/engine-postgres';
import { stepContext } from '@rotor/testkit';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ClientFactory } from '../../src/postgres-client.ts';
import { postgresPasswordPolicyFrom } from '../../src/postgres-options.ts';

/** A driver that accepts `app` / `Current-Password-1` and records the configuration of every client made. */
function recordingDriver() {
  const configs: pg.ClientConfig[] = [];
  const statements: string[] = [];
  const factory: ClientFactory = (config) => {
    configs.push(config);
    return {
      async connect() {
        if (config.user !== 'app' || config.password !== 'Current-Password-1')
          throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      },
      async query(text) {
        statements.push(text);
        return { rows: [] };
      },
      async end() {},
    };
  };
  return { factory, configs, statements };
}

/** An RDS client that records every call (none may happen while options are parsed). */
function recordingRds() {
  const sent: unknown[] = [];
  return {
    client: {
      async send(command: unknown) {
        sent.push(command);
        return {};
      },
    } as never,
    sent,
  };
}

const user = { host: 'db.internal', username: 'app', password: 'Current-Password-1' };

describe('postgresEngine refuses an option set it cannot run with, when it is made', () => {
  it.each([
    ['no allowed host in the list', { allowedHosts: [] }, 'allowedHosts'],
    ['an empty allowed host', { allowedHosts: [''] }, 'allowedHosts'],
    ['a TLS mode it does not know', { tls: 'prefer' }, 'tls'],
    ['an empty CA', { ca: '' }, 'ca'],
    ['a connect timeout under 100 ms', { connectTimeoutMs: 99 }, 'connectTimeoutMs'],
    ['a connect timeout over a minute', { connectTimeoutMs: 60_001 }, 'connectTimeoutMs'],
    ['a fractional connect timeout', { connectTimeoutMs: 150.5 }, 'connectTimeoutMs'],
    ['a query timeout under 100 ms', { queryTimeoutMs: 99 }, 'queryTimeoutMs'],
    ['a query timeout over five minutes', { queryTimeoutMs: 300_001 }, 'queryTimeoutMs'],
    ['fewer SCRAM iterations than PostgreSQL writes', { scramIterations: 4_095 }, 'scramIterations'],
    ['more than a million SCRAM iterations', { scramIterations: 1_000_001 }, 'scramIterations'],
    ['an empty default database', { defaultDatabase: '' }, 'defaultDatabase'],
    ['an empty application name', { applicationName: '' }, 'applicationName'],
    ['an application name PostgreSQL would truncate', { applicationName: 'a'.repeat(64) }, 'applicationName'],
    ['a client factory that is not a function', { clientFactory: 'pg' }, 'clientFactory must be a function'],
    ['an RDS client without send', { rds: { client: {} } }, 'rds.client must be an RDSClient'],
    ['an RDS client that is null', { rds: { client: null } }, 'rds.client must be an RDSClient'],
    ['an empty RDS region', { rds: { region: '' } }, 'rds.region'],
    ['an RDS option it does not know', { rds: { endpoint: 'http://localhost' } }, 'endpoint'],
    ['an option it does not know', { sslmode: 'disable' }, 'sslmode'],
    ['a password shorter than 8', { password: { length: 7 } }, 'password.length'],
    ['a password longer than 128', { password: { length: 129 } }, 'password.length'],
    ['a fractional password length', { password: { length: 20.5 } }, 'password.length'],
    [
      'more than 200 excluded characters',
      { password: { excludeCharacters: 'x'.repeat(201) } },
      'password.excludeCharacters',
    ],
    ['a password option it does not know', { password: { excludeSpaces: true } }, 'excludeSpaces'],
    ['a password switch that is not a boolean', { password: { excludeNumbers: 'yes' } }, 'excludeNumbers'],
  ])('%s', (_name, invalid, named) => {
    const driver = recordingDriver();
    const rds = recordingRds();
    const options = {
      allowedHosts: ['db.internal'],
      clientFactory: driver.factory,
      rds: { client: rds.client },
    };
    let refusal: unknown;
    try {
      postgresEngine({ ...options, ...invalid } as PostgresEngineOptions);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({
      code: 'INVALID_CONFIGURATION',
      retryable: false,
      message: expect.stringContaining('Invalid postgresEngine options'),
    });
    expect((refusal as Error).message).toContain(named);
    expect(driver.configs).toEqual([]);
    expect(rds.sent).toEqual([]);
  });

  it('refuses password settings that leave no character to draw from, naming the PostgreSQL policy', () => {
    expect(() =>
      postgresEngine({
        password: {
          excludeNumbers: true,
          excludePunctuation: true,
          excludeUppercase: true,
          excludeLowercase: true,
        },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIGURATION',
        message: expect.stringContaining('Invalid PostgreSQL password policy'),
      }),
    );
  });

  it('checks password settings given without the engine (the default policy is made this way)', () => {
    expect(() => postgresPasswordPolicyFrom({ length: 7 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIGURATION',
        message: expect.stringContaining('Invalid PostgreSQL password options'),
      }),
    );
  });
});

describe('postgresEngine accepts every option at its bounds', () => {
  it.each([
    { connectTimeoutMs: 100 },
    { connectTimeoutMs: 60_000 },
    { queryTimeoutMs: 100 },
    { queryTimeoutMs: 300_000 },
    { scramIterations: 4_096 },
    { scramIterations: 1_000_000 },
    { applicationName: 'a' },
    { applicationName: 'a'.repeat(63) },
    { defaultDatabase: 'd' },
    { tls: 'verify-full' },
    { tls: 'require' },
    { tls: 'disable' },
    { ca: '-----BEGIN CERTIFICATE-----' },
    { allowedHosts: ['d'] },
    { rds: { region: 'eu-west-3' } },
    { password: { length: 8 } },
    { password: { length: 128 } },
    { password: { excludeCharacters: 'x'.repeat(200) } },
  ] as PostgresEngineOptions[])('%j', (options) => {
    expect(() => postgresEngine(options)).not.toThrow();
  });
});

describe('the options reach the driver as configured', () => {
  it('by default: verified TLS, 5 s to connect, 15 s per statement, database postgres, application rotor', async () => {
    const driver = recordingDriver();
    await postgresEngine({ allowedHosts: ['db.internal'], clientFactory: driver.factory }).login(
      { user },
      stepContext(),
    );
    expect(driver.configs).toEqual([
      expect.objectContaining({
        host: 'db.internal',
        port: 5432,
        database: 'postgres',
        ssl: { rejectUnauthorized: true },
        connectionTimeoutMillis: 5_000,
        query_timeout: 15_000,
        statement_timeout: 15_000,
        application_name: 'rotor',
      }),
    ]);
  });

  it('as given: TLS require, timeouts, default database, application name, an allowed host with its port', async () => {
    const driver = recordingDriver();
    await postgresEngine({
      allowedHosts: ['db.internal:6543'],
      tls: 'require',
      connectTimeoutMs: 1_500,
      queryTimeoutMs: 2_500,
      defaultDatabase: 'orders',
      applicationName: 'rotor-orders',
      clientFactory: driver.factory,
    }).login({ user: { ...user, port: 6543 } }, stepContext());
    expect(driver.configs).toEqual([
      expect.objectContaining({
        port: 6543,
        database: 'orders',
        ssl: { rejectUnauthorized: false },
        connectionTimeoutMillis: 1_500,
        query_timeout: 2_500,
        statement_timeout: 2_500,
        application_name: 'rotor-orders',
      }),
    ]);
  });

  it('trusts the CA given as PEM text or as the path of a PEM file', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const path = join(mkdtempSync(join(tmpdir(), 'rotor-ca-')), 'bundle.pem');
    writeFileSync(path, pem);
    for (const ca of [pem, path]) {
      const driver = recordingDriver();
      await postgresEngine({ allowedHosts: ['db.internal'], ca, clientFactory: driver.factory }).login(
        { user },
        stepContext(),
      );
      expect(driver.configs).toEqual([
        expect.objectContaining({ ssl: { rejectUnauthorized: true, ca: pem } }),
      ]);
    }
  });

  it('writes verifiers with the configured iteration count', async () => {
    const driver = recordingDriver();
    await postgresEngine({
      allowedHosts: ['db.internal'],
      tls: 'disable',
      scramIterations: 5_000,
      clientFactory: driver.factory,
    }).setPasswords(
      {
        user: { ...user, password: 'New-Password-1' },
        passwords: ['New-Password-1'],
        principal: { kind: 'self', secret: user },
      },
      stepContext(),
    );
    expect(driver.statements).toEqual([
      expect.stringMatching(/^ALTER ROLE "app" PASSWORD 'SCRAM-SHA-256\$5000:/),
    ]);
  });
});

describe('password settings', () => {
  it('by default: 32 characters of every class but space, without "\'\\/@:, one of each class', () => {
    expect({ ...postgresEngine().passwordPolicy }).toEqual({
      length: 32,
      minLength: 8,
      maxLength: 128,
      excludeCharacters: '"\'\\/@:',
      excludeUppercase: false,
      excludeLowercase: false,
      excludeNumbers: false,
      excludePunctuation: false,
      includeSpace: false,
      requireEachIncludedType: true,
    });
  });

  it('never lets a space in, and keeps the bounds, whatever the settings', () => {
    expect(
      postgresEngine({ password: { length: 128, excludeUppercase: true } }).passwordPolicy,
    ).toMatchObject({
      length: 128,
      minLength: 8,
      maxLength: 128,
      includeSpace: false,
      excludeUppercase: true,
      excludeLowercase: false,
    });
  });
});
