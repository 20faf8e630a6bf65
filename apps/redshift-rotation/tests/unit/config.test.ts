import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { buildHandler } from '../../src/handler.ts';

describe('readConfig', () => {
  it("defaults to AWS's behaviour: pg with verified TLS, strategy by masterarn, local passwords", () => {
    const config = readConfig({});
    expect(config.strategy).toBe('auto');
    expect(config.passwordSource).toBe('local');
    expect(config.secretsManagerEndpoint).toBeUndefined();
    expect(config.engine.transport).toBe('pg');
    expect(config.engine.pg).toEqual({ tls: 'verify-full' });
    expect(config.engine.password).toEqual({});
  });

  it('maps the environment of AWS functions and Rotor variables', () => {
    const config = readConfig({
      SECRETS_MANAGER_ENDPOINT: 'https://secretsmanager.eu-west-1.amazonaws.com',
      PASSWORD_LENGTH: '40',
      EXCLUDE_CHARACTERS: ':;',
      EXCLUDE_PUNCTUATION: 'true',
      REQUIRE_EACH_INCLUDED_TYPE: 'true',
      ROTOR_STRATEGY: 'alternating-users',
      ROTOR_REDSHIFT_TRANSPORT: 'data-api',
      ROTOR_REDSHIFT_DATA_API_AUTH: 'temporary-credentials',
      ROTOR_REDSHIFT_WORKGROUP_NAME: 'reporting',
      ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS: '2500',
      ROTOR_REDSHIFT_COPY_PRIVILEGES: 'every-rotation',
    });
    expect(config.secretsManagerEndpoint).toBe('https://secretsmanager.eu-west-1.amazonaws.com');
    expect(config.strategy).toBe('alternating-users');
    expect(config.engine).toMatchObject({
      transport: 'data-api',
      pg: { tls: 'verify-full', connectTimeoutMs: 2500 },
      dataApi: { auth: 'temporary-credentials', workgroupName: 'reporting' },
      password: {
        length: 40,
        excludeCharacters: ':;',
        excludePunctuation: true,
        requireEachIncludedType: true,
      },
      copyPrivileges: 'every-rotation',
    });
  });

  it.each([
    [{ ROTOR_REDSHIFT_TRANSPORT: 'ssh' }, /ROTOR_REDSHIFT_TRANSPORT/],
    [{ ROTOR_STRATEGY: 'dual-password' }, /ROTOR_STRATEGY/],
    [{ SECRETS_MANAGER_ENDPOINT: 'not a url' }, /SECRETS_MANAGER_ENDPOINT/],
    [{ ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS: 'soon' }, /ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS/],
    [{ ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: 'a', ROTOR_REDSHIFT_WORKGROUP_NAME: 'b' }, /not both/],
    [{ ROTOR_REDSHIFT_CA_FILE: '/nonexistent/ca.pem' }, /cannot be read/],
    [{ PASSWORD_LENGTH: 'long' }, /PASSWORD_LENGTH/],
  ])('refuses %j at cold start', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('buildHandler', () => {
  it('fails every invocation with the cold-start error when the policy is outside Redshift rules', async () => {
    const handler = buildHandler({ PASSWORD_LENGTH: '65' });
    await expect(handler({}, undefined)).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringMatching(/8-64/),
    });
  });

  it('rejects events that are not rotation events', async () => {
    const handler = buildHandler({ AWS_REGION: 'us-east-1' });
    await expect(handler({ hello: 'world' }, undefined)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });
});
