import { ReplyError } from 'ioredis';
import { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { classifyError, isAuthenticationFailure } from '../../src/auth-errors.ts';

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
