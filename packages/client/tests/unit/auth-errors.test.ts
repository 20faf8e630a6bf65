import { InvalidConfigurationError, InvalidSecretError, SecretStoreError } from '@rotor/core/errors';
import { ReplyError } from 'ioredis';
import { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { classifyError, isAuthenticationFailure, isConfigurationFailure } from '../../src/auth-errors.ts';
import { stopOnConfigurationFailure } from '../../src/redis/verified-credentials.ts';

function pgError(code: string, message = 'refused'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'FATAL';
  return error;
}

function systemError(code: string, message = `connect ${code} 127.0.0.1:5432`): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect' });
}

describe('classifyError', () => {
  it.each([
    ['pg 28P01 invalid_password', pgError('28P01', 'password authentication failed for user "app"')],
    ['pg 28000 invalid_authorization_specification', pgError('28000', 'no pg_hba.conf entry')],
    ['Redis WRONGPASS', new ReplyError('WRONGPASS invalid username-password pair or user is disabled.')],
    ['Redis NOAUTH', new ReplyError('NOAUTH Authentication required.')],
    ['Redis 5 invalid password', new ReplyError('ERR invalid password')],
    ['an auth error wrapped as the cause', new Error('connect failed', { cause: pgError('28P01') })],
  ])('%s is an authentication failure', (_name, error) => {
    expect(classifyError(error)).toBe('authentication');
    expect(isAuthenticationFailure(error)).toBe(true);
  });

  it.each([
    ['ECONNREFUSED', systemError('ECONNREFUSED')],
    ['ECONNRESET', systemError('ECONNRESET', 'read ECONNRESET')],
    ['ETIMEDOUT', systemError('ETIMEDOUT')],
    ['ENOTFOUND', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal')],
    ['pg connection terminated', new Error('Connection terminated unexpectedly')],
    [
      'pg pool timeout',
      new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') }),
    ],
    ['ioredis closed', new Error('Connection is closed.')],
    [
      'AggregateError of refused addresses',
      new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]),
    ],
  ])('%s is a network failure, not an authentication failure', (_name, error) => {
    expect(classifyError(error)).toBe('network');
    expect(isAuthenticationFailure(error)).toBe(false);
  });

  it.each([
    ['pg syntax error 42601', pgError('42601', 'syntax error at or near "SELEC"')],
    ['pg permission denied 42501', pgError('42501', 'permission denied for table t')],
    [
      'Redis NOPERM (authorization, not authentication)',
      new ReplyError("NOPERM this user has no permissions to run the 'flushall' command"),
    ],
    ['Redis WRONGTYPE', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a message merely mentioning WRONGPASS', new Error('got WRONGPASS from server')],
    ['a string', 'WRONGPASS'],
    ['undefined', undefined],
    ['null', null],
  ])('%s is neither', (_name, error) => {
    expect(classifyError(error)).toBe('other');
    expect(isAuthenticationFailure(error)).toBe(false);
  });
});

describe('isConfigurationFailure', () => {
  it.each([
    ['a secret that is not JSON', new InvalidSecretError('Secret s version v is not valid JSON')],
    ['no AWS region', new InvalidConfigurationError('no AWS region for Secrets Manager')],
  ])('%s is a configuration failure: no reconnect can cure it', (_name, error) => {
    expect(classifyError(error)).toBe('configuration');
    expect(isConfigurationFailure(error)).toBe(true);
  });

  it.each([
    ['a Secrets Manager outage', new SecretStoreError('DescribeSecret failed', { retryable: true })],
    ['a refused login', new ReplyError('WRONGPASS invalid username-password pair')],
    ['a network error', systemError('ECONNREFUSED')],
    ['a plain error with the same message', new Error('Secret s version v is not valid JSON')],
  ])('%s is not', (_name, error) => {
    expect(isConfigurationFailure(error)).toBe(false);
  });
});

describe('stopOnConfigurationFailure (node-redis reconnect strategy)', () => {
  const configuration = new InvalidSecretError('Secret s version v is not valid JSON');
  const network = systemError('ECONNRESET');

  it('ends the client with a configuration failure, whatever strategy was given', () => {
    expect(stopOnConfigurationFailure(undefined)(0, configuration)).toBe(configuration);
    expect(stopOnConfigurationFailure(() => 10)(3, configuration)).toBe(configuration);
  });

  it("leaves other failures to the caller's strategy, or to node-redis's default delay", () => {
    expect(stopOnConfigurationFailure(() => 123)(1, network)).toBe(123);
    expect(stopOnConfigurationFailure(false)(1, network)).toBe(false);
    expect(stopOnConfigurationFailure(7)(1, network)).toBe(7);
    for (let retries = 0; retries < 12; retries++) {
      const delay = stopOnConfigurationFailure(undefined)(retries, network);
      expect(delay).toBeGreaterThanOrEqual(Math.min(2 ** retries * 50, 2_000));
      expect(delay).toBeLessThan(Math.min(2 ** retries * 50, 2_000) + 200);
    }
  });
});
