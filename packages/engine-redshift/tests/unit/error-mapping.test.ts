import { describe, expect, it } from 'vitest';
import { mapDataApiError, mapStatementFailure } from '../../src/data-api-transport.ts';
import { mapPgError, safeServerMessage } from '../../src/error-mapping.ts';

const context = { action: 'log in as "app" at db.example:5439/dev', step: 'setSecret' as const };

function pgError(code: string, message: string) {
  return Object.assign(new Error(message), { code });
}

describe('mapPgError', () => {
  it.each([
    [pgError('28P01', 'password authentication failed for user "app"'), 'CREDENTIAL_REJECTED', false],
    [pgError('28000', 'no pg_hba.conf entry'), 'CREDENTIAL_REJECTED', false],
    [pgError('42704', 'role "ghost" does not exist'), 'USER_NOT_FOUND', false],
    [pgError('42501', 'must be superuser to alter superusers'), 'PERMISSION_DENIED', false],
    [pgError('3D000', 'database "nope" does not exist'), 'INVALID_SECRET', false],
    [pgError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5439'), 'ENGINE_UNAVAILABLE', true],
    [pgError('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.invalid'), 'ENGINE_UNAVAILABLE', true],
    [new Error('Connection terminated due to connection timeout'), 'ENGINE_UNAVAILABLE', true],
    [
      pgError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      'ENGINE_UNAVAILABLE',
      true,
    ],
    [new Error('The server does not support SSL connections'), 'ENGINE_UNAVAILABLE', true],
    [pgError('53300', 'sorry, too many clients already'), 'ENGINE_UNAVAILABLE', true],
    [pgError('42601', 'syntax error'), 'ENGINE_FAILED', false],
  ])('maps %s to %s', (error, code, retryable) => {
    const mapped = mapPgError(error, context);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.step).toBe('setSecret');
    expect(mapped.message).toContain('log in as "app"');
    expect(mapped.cause).toBe(error);
  });

  it('says TLS, not unreachable, for a TLS failure, and names the setting that changes the TLS mode', () => {
    for (const error of [
      new Error('The server does not support SSL connections'),
      pgError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
    ]) {
      const mapped = mapPgError(error, context);
      expect(mapped.message).toContain('TLS failed');
      expect(mapped.message).toContain('ROTOR_REDSHIFT_TLS');
      expect(mapped.message).not.toContain('unreachable');
    }
    // Negative control: a refused connection is still an unreachable server.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5439'), { code: 'ECONNREFUSED' });
    expect(mapPgError(refused, context).message).toContain('the server is unreachable');
    expect(mapPgError(refused, context).message).not.toContain('TLS');
  });

  it('masks md5 hashes and drops everything after the first line of server messages', () => {
    const hash = 'md5153c434b4b77c89e6b94f12c5393af5b';
    expect(safeServerMessage(`syntax error near '${hash}'\nQUERY: ALTER USER x PASSWORD '${hash}'`)).toBe(
      "syntax error near 'md5[hash]'",
    );
    const mapped = mapPgError(pgError('42601', `at or near '${hash}'`), context);
    expect(mapped.message).not.toContain(hash);
  });
});

describe('mapDataApiError', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each([
    ['AccessDeniedException', 'PERMISSION_DENIED'],
    ['ResourceNotFoundException', 'INVALID_CONFIGURATION'],
    ['ValidationException', 'INVALID_CONFIGURATION'],
    ['DatabaseConnectionException', 'ENGINE_UNAVAILABLE'],
    ['ActiveStatementsExceededException', 'ENGINE_UNAVAILABLE'],
    ['InternalServerException', 'ENGINE_UNAVAILABLE'],
    ['SomethingElse', 'ENGINE_FAILED'],
  ])('maps %s to %s', (name, code) => {
    expect(mapDataApiError(named(name), 'run a statement', { step: 'setSecret' }).code).toBe(code);
  });
});

describe('mapStatementFailure', () => {
  it.each([
    ['FATAL: password authentication failed for user "app"', 'CREDENTIAL_REJECTED'],
    ['ERROR: user "ghost" does not exist', 'USER_NOT_FOUND'],
    ['ERROR: role "ghost" does not exist', 'USER_NOT_FOUND'],
    ['ERROR: permission denied for relation orders', 'PERMISSION_DENIED'],
    ['ERROR: must be superuser to create users', 'PERMISSION_DENIED'],
    ['ERROR: syntax error at or near "x"', 'ENGINE_FAILED'],
  ])('maps "%s" to %s', (text, code) => {
    expect(mapStatementFailure(text, 'run a statement', { step: 'setSecret' }).code).toBe(code);
  });
});
