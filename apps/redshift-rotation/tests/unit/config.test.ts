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
    expect(config.loginTest).toBe('required');
    expect(config.connections).toEqual([
      { name: 'Redshift (pg)', transport: 'verified-tls' },
      { name: 'Redshift control plane (DescribeClusters / GetWorkgroup)', transport: 'verified-tls' },
    ]);
  });

  it('takes allowed hosts instead of asking the control plane', () => {
    const config = readConfig({
      ROTOR_REDSHIFT_ALLOWED_HOSTS: ' analytics.abc.eu-west-1.redshift.amazonaws.com, 10.0.0.5:5440 ',
    });
    expect(config.engine.allowedHosts).toEqual([
      'analytics.abc.eu-west-1.redshift.amazonaws.com',
      '10.0.0.5:5440',
    ]);
    expect(config.connections.map((c) => c.name)).toEqual(['Redshift (pg)']);
  });

  it('declares TLS downgrades by the setting that chose them', () => {
    expect(readConfig({ ROTOR_REDSHIFT_TLS: 'disable' }).connections[0]).toEqual({
      name: 'Redshift (pg)',
      transport: 'plaintext',
      setting: 'ROTOR_REDSHIFT_TLS=disable',
    });
    expect(readConfig({ ROTOR_REDSHIFT_TLS: 'require' }).connections[0]).toMatchObject({
      transport: 'unverified-tls',
      setting: 'ROTOR_REDSHIFT_TLS=require',
    });
  });

  it('proves Data API rotations with direct logins by default', () => {
    const config = readConfig({
      ROTOR_REDSHIFT_TRANSPORT: 'data-api',
      ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: 'analytics',
    });
    expect(config.engine).toMatchObject({ clusterIdentifier: 'analytics', dataApi: { loginCheck: 'pg' } });
    expect(config.connections.map((c) => c.name)).toEqual([
      'Redshift Data API',
      'Redshift login test (pg)',
      'Redshift control plane (DescribeClusters / GetWorkgroup)',
    ]);
  });

  it('refuses a Data API function that cannot log in unless the login test is explicitly off', () => {
    const env = { ROTOR_REDSHIFT_TRANSPORT: 'data-api', ROTOR_REDSHIFT_LOGIN_CHECK: 'none' };
    expect(() => readConfig(env)).toThrow(/ROTOR_LOGIN_TEST=off/);
    const config = readConfig({ ...env, ROTOR_LOGIN_TEST: 'off' });
    expect(config.loginTest).toBe('off');
    expect(config.connections).toEqual([{ name: 'Redshift Data API', transport: 'verified-tls' }]);
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
      workgroupName: 'reporting',
      dataApi: { auth: 'temporary-credentials', loginCheck: 'pg' },
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

  it('fails every invocation when an allowed host is not a host', async () => {
    const handler = buildHandler({ ROTOR_REDSHIFT_ALLOWED_HOSTS: 'admin@db.internal' });
    await expect(handler({}, undefined)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });

  it('rejects events that are not rotation events', async () => {
    const handler = buildHandler({ AWS_REGION: 'us-east-1' });
    await expect(handler({ hello: 'world' }, undefined)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });
});
