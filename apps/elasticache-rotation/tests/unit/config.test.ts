import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';

describe('readConfig: the environment of AWS function + ROTOR_*', () => {
  it("maps AWS's variables with their meaning", () => {
    const config = readConfig({
      SECRETS_MANAGER_ENDPOINT: 'https://secretsmanager.eu-west-1.amazonaws.com',
      SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
      USER_NAME: 'user1',
      EXCLUDE_CHARACTERS: '#%',
      PASSWORD_LENGTH: '40',
      MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: '120',
      WAITING_RETRY_INTERVAL_IN_SECONDS: '2.5',
    });
    expect(config).toMatchObject({
      secretsManagerEndpoint: 'https://secretsmanager.eu-west-1.amazonaws.com',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
      strategy: 'auto',
      passwordSource: 'local',
      engine: {
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
        userName: 'user1',
        acceptAlternateUserName: true,
        excludeCharacters: '#%',
        passwordLength: 40,
        maxWaitingTimeMs: 120_000,
        retryIntervalMs: 2_500,
      },
    });
  });

  it('reads the ROTOR_* settings', () => {
    const config = readConfig({
      ROTOR_STRATEGY: 'single-user',
      ROTOR_ENABLE_DISABLED_USER: 'yes',
      ROTOR_CACHE_HOST: 'master.cache.example',
      ROTOR_CACHE_PORT: '6380',
      ROTOR_CACHE_TLS: 'false',
      ROTOR_PASSWORD_SOURCE: 'secrets-manager',
    });
    expect(config.strategy).toBe('single-user');
    expect(config.passwordSource).toBe('secrets-manager');
    expect(config.loginTest).toBe('required');
    expect(config.engine).toMatchObject({
      enableDisabledUser: true,
      acceptAlternateUserName: false,
      dataPlane: { host: 'master.cache.example', port: 6380, tls: false },
    });
  });

  it('reads ROTOR_CACHE_ARNS as a list (the template joins CacheArns with commas; empty means unset)', () => {
    const rg = 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:orders';
    const serverless = 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions';
    expect(readConfig({ ROTOR_CACHE_ARNS: ` ${rg}, ${serverless} ,` }).engine.dataPlane).toEqual({
      caches: [rg, serverless],
    });
    expect(readConfig({ ROTOR_CACHE_ARNS: '' }).engine.dataPlane).toEqual({});
  });

  it('reads ROTOR_LOGIN_TEST and the cache CA file', () => {
    const config = readConfig({ ROTOR_LOGIN_TEST: 'off', ROTOR_CACHE_CA_FILE: '/opt/ca.pem' });
    expect(config.loginTest).toBe('off');
    expect(config.engine.dataPlane).toEqual({ caFile: '/opt/ca.pem' });
    expect(() => readConfig({ ROTOR_LOGIN_TEST: 'sometimes' })).toThrow(/ROTOR_LOGIN_TEST/);
  });

  it('declares every connection: verified TLS by default, each downgrade with the setting that made it', () => {
    expect(readConfig({}).connections).toEqual([
      { name: 'Secrets Manager and ElastiCache APIs', transport: 'verified-tls' },
      { name: 'cache data plane (endpoints from the control plane)', transport: 'verified-tls' },
    ]);
    expect(
      readConfig({
        ROTOR_CACHE_HOST: 'cache.example',
        ROTOR_CACHE_TLS: 'false',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      }).connections,
    ).toEqual([
      {
        name: 'Secrets Manager and ElastiCache APIs',
        transport: 'plaintext',
        setting: 'AWS_ENDPOINT_URL=http://...',
      },
      {
        name: 'cache data plane (ROTOR_CACHE_HOST)',
        transport: 'plaintext',
        setting: 'ROTOR_CACHE_TLS=false',
      },
    ]);
    expect(readConfig({ ROTOR_CACHE_TLS_VERIFY: 'no' }).connections[1]).toEqual({
      name: 'cache data plane (endpoints from the control plane)',
      transport: 'unverified-tls',
      setting: 'ROTOR_CACHE_TLS_VERIFY=false',
    });
  });

  it('refuses ROTOR_CACHE_TLS=false without ROTOR_CACHE_HOST: caches found in the control plane keep their TLS', () => {
    expect(() => readConfig({ ROTOR_CACHE_TLS: 'false' })).toThrow(
      /ROTOR_CACHE_TLS=false needs ROTOR_CACHE_HOST/,
    );
  });

  it('treats empty variables as unset, but an empty EXCLUDE_CHARACTERS as "exclude nothing extra"', () => {
    const config = readConfig({ USER_NAME: '', PASSWORD_LENGTH: '', EXCLUDE_CHARACTERS: '' });
    expect(config.engine.userName).toBeUndefined();
    expect(config.engine.passwordLength).toBeUndefined();
    expect(config.engine.excludeCharacters).toBe('');
  });

  it('names every bad variable in one clear error', () => {
    let failure: unknown;
    try {
      readConfig({
        PASSWORD_LENGTH: '12',
        MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: 'ten',
        ROTOR_STRATEGY: 'round-robin',
        SECRETS_MANAGER_ENDPOINT: 'not a url',
        ROTOR_CACHE_TLS: 'maybe',
      });
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'INVALID_CONFIGURATION', name: 'InvalidConfigurationError' });
    const message = (failure as Error).message;
    for (const name of [
      'PASSWORD_LENGTH',
      'MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS',
      'ROTOR_STRATEGY',
      'SECRETS_MANAGER_ENDPOINT',
      'ROTOR_CACHE_TLS',
    ]) {
      expect(message).toContain(name);
    }
  });
});
