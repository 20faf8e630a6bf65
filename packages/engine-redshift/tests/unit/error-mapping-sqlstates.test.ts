import { describe, expect, it } from 'vitest';
import { isAuthenticationFailure, mapPgError, sqlState } from '../../src/error-mapping.ts';

const context = { action: 'change the password of "app"', step: 'setSecret' as const };

function failure(code: unknown, message = 'server said no') {
  return Object.assign(new Error(message), { code });
}

describe('sqlState', () => {
  it.each(['28P01', '28000', '08006', '57P01', '42704', 'XX000'])('reads %s as a SQLSTATE', (code) => {
    expect(sqlState(failure(code))).toBe(code);
  });

  // Node's error codes share the `code` property; they are not SQLSTATEs.
  it.each(['ECONNREFUSED', 'ENOTFOUND', '2800', '28P011', '28p01', 28000])(
    'does not read %j as a SQLSTATE',
    (code) => {
      expect(sqlState(failure(code))).toBeUndefined();
    },
  );

  it.each([null, undefined, 'text', 42])('reads no SQLSTATE from a thrown %j', (thrown) => {
    expect(sqlState(thrown)).toBeUndefined();
  });
});

describe('isAuthenticationFailure', () => {
  it.each(['28P01', '28000'])(
    'is true for %s (password refused, or no access for this user or host)',
    (code) => {
      expect(isAuthenticationFailure(failure(code))).toBe(true);
    },
  );

  it.each(['42501', '42704', '3D000', '08006', '2800', 'ECONNREFUSED'])('is false for %s', (code) => {
    expect(isAuthenticationFailure(failure(code))).toBe(false);
  });

  it('is false for thrown values without a code, including null', () => {
    expect(isAuthenticationFailure(null)).toBe(false);
    expect(isAuthenticationFailure(undefined)).toBe(false);
    expect(isAuthenticationFailure(new Error('password authentication failed'))).toBe(false);
  });
});

describe('mapPgError: the SQLSTATE classes', () => {
  // Connection exceptions (08), insufficient resources (53), and the server shutting down or starting (57P01-03)
  // are worth retrying; every other state is a failure of the statement itself.
  it.each([
    ['08000', true],
    ['08001', true],
    ['08006', true],
    ['08P01', true],
    ['53000', true],
    ['53100', true],
    ['53200', true],
    ['53300', true],
    ['57P01', true],
    ['57P02', true],
    ['57P03', true],
    ['57P04', false],
    ['57014', false],
    ['40001', false],
    ['23505', false],
    ['XX000', false],
  ])('maps %s to retryable %s', (state, retryable) => {
    const mapped = mapPgError(failure(state, 'the server said so'), context);
    expect(mapped.code).toBe(retryable ? 'ENGINE_UNAVAILABLE' : 'ENGINE_FAILED');
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.step).toBe('setSecret');
    // The message names the state so an operator can look it up.
    expect(mapped.message).toContain(`${state}: the server said so`);
  });

  it('never reads a refused login as accepted, nor as a retryable outage', () => {
    for (const state of ['28P01', '28000']) {
      const mapped = mapPgError(failure(state, 'no pg_hba.conf entry for host'), context);
      expect(mapped.code).toBe('CREDENTIAL_REJECTED');
      expect(mapped.retryable).toBe(false);
      expect(mapped.message).toContain(`authentication refused (${state}: no pg_hba.conf entry for host)`);
    }
  });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EPIPE',
    'ECONNABORTED',
  ])('maps the network code %s to a retryable outage whatever its message says', (code) => {
    // A message the pattern would not recognise, so only the code decides.
    const mapped = mapPgError(failure(code, 'it broke'), context);
    expect(mapped.code).toBe('ENGINE_UNAVAILABLE');
    expect(mapped.retryable).toBe(true);
    expect(mapped.message).toBe(
      'Could not change the password of "app": the server is unreachable (' + code + ': it broke)',
    );
  });

  it('names no code in an unreachable message when the error has none', () => {
    const mapped = mapPgError(new Error('Connection terminated unexpectedly'), context);
    expect(mapped.message).toBe(
      'Could not change the password of "app": the server is unreachable (Connection terminated unexpectedly)',
    );
  });

  it('maps an unknown Node code with an unknown message to an engine failure', () => {
    const mapped = mapPgError(failure('EWHATEVER', 'it broke'), context);
    expect(mapped.code).toBe('ENGINE_FAILED');
    expect(mapped.retryable).toBe(false);
  });

  it.each([null, undefined])('maps a thrown %j to an engine failure without crashing', (thrown) => {
    const mapped = mapPgError(thrown, context);
    expect(mapped.code).toBe('ENGINE_FAILED');
    expect(mapped.message).toBe('Could not change the password of "app": unknown error');
  });
});
