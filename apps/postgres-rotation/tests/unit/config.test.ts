import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { buildHandler } from '../../src/handler.ts';

describe('readConfig', () => {
  it('defaults to automatic strategy, local passwords and verified TLS', () => {
    expect(readConfig({})).toEqual({
      secretsManagerEndpoint: undefined,
      strategy: 'auto',
      passwordSource: 'local',
      deadlineMarginMs: undefined,
      loginTest: 'required',
      engine: { tls: 'verify-full' },
    });
  });

  it('reads every variable', () => {
    const config = readConfig({
      SECRETS_MANAGER_ENDPOINT: 'https://secretsmanager.eu-west-1.amazonaws.com',
      ROTOR_STRATEGY: 'alternating-users',
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
        tls: 'require',
        ca: '/opt/rds-global-bundle.pem',
        connectTimeoutMs: 2500,
        scramIterations: 8192,
      },
    });
  });

  it('names every bad variable in one InvalidConfigurationError', () => {
    expect(() =>
      readConfig({ ROTOR_STRATEGY: 'dual-password', ROTOR_PG_TLS: 'off', ROTOR_PG_SCRAM_ITERATIONS: '10' }),
    ).toThrow(/ROTOR_STRATEGY.*ROTOR_PG_TLS.*ROTOR_PG_SCRAM_ITERATIONS/);
  });
});

describe('buildHandler', () => {
  it('fails every invocation with the configuration error instead of crashing the cold start', async () => {
    const handler = buildHandler({ ROTOR_PG_TLS: 'sometimes' });
    const event = { Step: 'createSecret', SecretId: 'arn:x', ClientRequestToken: 't' };
    await expect(handler(event)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    await expect(handler(event)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });
});
