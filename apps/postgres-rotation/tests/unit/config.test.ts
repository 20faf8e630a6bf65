import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { buildHandler } from '../../src/handler.ts';

describe('readConfig', () => {
  it('defaults to automatic strategy, local passwords and verified TLS to the allowed hosts', () => {
    expect(readConfig({ ROTOR_PG_ALLOWED_HOSTS: 'db.internal' })).toEqual({
      secretsManagerEndpoint: undefined,
      strategy: 'auto',
      passwordSource: 'local',
      deadlineMarginMs: undefined,
      loginTest: 'required',
      connections: [{ name: 'PostgreSQL', transport: 'verified-tls' }],
      engine: { allowedHosts: ['db.internal'], tls: 'verify-full', password: {} },
    });
  });

  it('requires the allowed hosts: a secret alone never says where to connect', () => {
    expect(() => readConfig({})).toThrow(/✖ required: .*\n\s+→ at ROTOR_PG_ALLOWED_HOSTS/);
    expect(() => readConfig({ ROTOR_PG_ALLOWED_HOSTS: '  ' })).toThrow(/ROTOR_PG_ALLOWED_HOSTS/);
  });

  it('declares a TLS downgrade by the setting that chose it', () => {
    expect(readConfig({ ROTOR_PG_ALLOWED_HOSTS: 'db', ROTOR_PG_TLS: 'require' }).connections).toEqual([
      { name: 'PostgreSQL', transport: 'unverified-tls', setting: 'ROTOR_PG_TLS=require' },
    ]);
  });

  it('reads every variable', () => {
    const config = readConfig({
      SECRETS_MANAGER_ENDPOINT: 'https://secretsmanager.eu-west-1.amazonaws.com',
      ROTOR_STRATEGY: 'alternating-users',
      ROTOR_PG_ALLOWED_HOSTS: 'db-1.internal:5433, 10.0.0.7',
      ROTOR_PASSWORD_SOURCE: 'secrets-manager',
      ROTOR_DEADLINE_MARGIN_MS: '3000',
      ROTOR_PG_TLS: 'require',
      ROTOR_PG_CA_FILE: '/opt/rds-global-bundle.pem',
      ROTOR_PG_CONNECT_TIMEOUT_MS: '2500',
      ROTOR_PG_SCRAM_ITERATIONS: '8192',
    });
    expect(config).toMatchObject({
      strategy: 'alternating-users',
      passwordSource: 'secrets-manager',
      deadlineMarginMs: 3000,
      engine: {
        allowedHosts: ['db-1.internal:5433', '10.0.0.7'],
        tls: 'require',
        ca: '/opt/rds-global-bundle.pem',
        connectTimeoutMs: 2500,
        scramIterations: 8192,
      },
    });
  });

  it("reads the password variables of AWS's PostgreSQL functions", () => {
    const config = readConfig({
      ROTOR_PG_ALLOWED_HOSTS: 'db',
      PASSWORD_LENGTH: '20',
      EXCLUDE_CHARACTERS: '',
      EXCLUDE_NUMBERS: 'true',
      EXCLUDE_PUNCTUATION: 'Yes',
      EXCLUDE_UPPERCASE: '0',
      EXCLUDE_LOWERCASE: 'n',
      REQUIRE_EACH_INCLUDED_TYPE: 'FALSE',
    });
    expect(config.engine.password).toEqual({
      length: 20,
      excludeCharacters: '',
      excludeNumbers: true,
      excludePunctuation: true,
      excludeUppercase: false,
      excludeLowercase: false,
      requireEachIncludedType: false,
    });
  });

  it('refuses a password variable that is not a number or a yes/no word (AWS would read it as false)', () => {
    expect(() =>
      readConfig({ ROTOR_PG_ALLOWED_HOSTS: 'db', PASSWORD_LENGTH: '7', EXCLUDE_NUMBERS: 'sometimes' }),
    ).toThrow(/PASSWORD_LENGTH[\s\S]*EXCLUDE_NUMBERS/);
  });

  it('fails every invocation when the password settings leave no character to use', async () => {
    const handler = buildHandler({
      ROTOR_PG_ALLOWED_HOSTS: 'db',
      EXCLUDE_NUMBERS: 'true',
      EXCLUDE_PUNCTUATION: 'true',
      EXCLUDE_UPPERCASE: 'true',
      EXCLUDE_LOWERCASE: 'true',
    });
    const event = { Step: 'createSecret', SecretId: 'arn:x', ClientRequestToken: 't' };
    await expect(handler(event)).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringMatching(/excludes every character/),
    });
  });

  it('names every bad variable in one InvalidConfigurationError', () => {
    expect(() =>
      readConfig({ ROTOR_STRATEGY: 'dual-password', ROTOR_PG_TLS: 'off', ROTOR_PG_SCRAM_ITERATIONS: '10' }),
    ).toThrow(/ROTOR_STRATEGY[\s\S]*ROTOR_PG_TLS[\s\S]*ROTOR_PG_SCRAM_ITERATIONS/);
  });

  it('fails every invocation when an allowed host is not a host', async () => {
    const handler = buildHandler({ ROTOR_PG_ALLOWED_HOSTS: 'postgres@db.internal' });
    const event = { Step: 'createSecret', SecretId: 'arn:x', ClientRequestToken: 't' };
    await expect(handler(event)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });
});

describe('buildHandler', () => {
  it('fails every invocation with the configuration error instead of crashing the cold start', async () => {
    const handler = buildHandler({ ROTOR_PG_ALLOWED_HOSTS: 'db.internal', ROTOR_PG_TLS: 'sometimes' });
    const event = { Step: 'createSecret', SecretId: 'arn:x', ClientRequestToken: 't' };
    await expect(handler(event)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    await expect(handler(event)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });
});
