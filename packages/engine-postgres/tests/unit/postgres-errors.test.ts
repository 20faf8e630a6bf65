import { describe, expect, it } from 'vitest';
import { toRotationError } from '../../src/postgres-client.ts';
import { sqlError } from './support/fake-server.ts';

describe('toRotationError', () => {
  it('counts a TLS certificate the client refuses as unavailability (retryable), as core defines it', () => {
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'CERT_HAS_EXPIRED',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ]) {
      const error = toRotationError(
        Object.assign(new Error('certificate refused'), { code }),
        'connecting',
        'setSecret',
      );
      expect(error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true, step: 'setSecret' });
    }
    // Negative control: an error that is neither network nor TLS stays an engine failure, not retryable.
    const other = toRotationError(
      Object.assign(new Error('boom'), { code: 'XX000' }),
      'connecting',
      'setSecret',
    );
    expect(other).toMatchObject({ code: 'ENGINE_FAILED', retryable: false });
  });

  it.each<[string, string, boolean, string]>([
    ['42501', 'PERMISSION_DENIED', false, 'Permission denied creating role "x": permission denied'],
    [
      '28P01',
      'CREDENTIAL_REJECTED',
      false,
      'The server refused the login creating role "x" (SQLSTATE 28P01)',
    ],
    [
      '28000',
      'CREDENTIAL_REJECTED',
      false,
      'The server refused the login creating role "x" (SQLSTATE 28000)',
    ],
    ['3D000', 'INVALID_SECRET', false, 'Creating role "x" failed: permission denied'],
    [
      'XX000',
      'ENGINE_FAILED',
      false,
      'PostgreSQL failed creating role "x" (SQLSTATE XX000): permission denied',
    ],
    ...['53300', '57P01', '57P02', '57P03', '08006', '08001', '08004'].map(
      (code) =>
        [
          code,
          'ENGINE_UNAVAILABLE',
          true,
          `PostgreSQL is unavailable creating role "x": ${code}: permission denied`,
        ] as [string, string, boolean, string],
    ),
  ])('SQLSTATE %s is %s (retryable: %s), with what it was doing', (sqlState, code, retryable, message) => {
    const cause = sqlError(sqlState, 'permission denied');
    expect(toRotationError(cause, 'creating role "x"', 'createSecret')).toMatchObject({
      code,
      retryable,
      message,
      step: 'createSecret',
      cause,
    });
  });

  it.each([
    [
      'a refused TCP connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'PostgreSQL is unavailable connecting: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'a connection the server dropped',
      new Error('Connection terminated unexpectedly'),
      'PostgreSQL is unavailable connecting: Connection terminated unexpectedly',
    ],
    [
      'a timeout',
      new Error('Query read timeout'),
      'PostgreSQL is unavailable connecting: Query read timeout',
    ],
    [
      'a DNS answer that has not come yet',
      Object.assign(new Error('getaddrinfo EAI_AGAIN db.internal'), { code: 'EAI_AGAIN' }),
      'PostgreSQL is unavailable connecting: EAI_AGAIN: getaddrinfo EAI_AGAIN db.internal',
    ],
    [
      'a Timeout in any case',
      new Error('Connection Timeout'),
      'PostgreSQL is unavailable connecting: Connection Timeout',
    ],
  ])('%s is retryable unavailability', (_name, cause, message) => {
    expect(toRotationError(cause, 'connecting', 'setSecret')).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
      message,
    });
  });

  it.each([
    ['a code that is no SQLSTATE', Object.assign(new Error('odd'), { code: '428P01' }), 'odd'],
    ['a lower-case code', Object.assign(new Error('odd'), { code: 'econnrefused' }), 'odd'],
    ['a code inside a longer one', Object.assign(new Error('odd'), { code: 'XERR_TLS_X' }), 'odd'],
    ['something thrown that is not an Error', 'a string', 'a string'],
    ['null thrown', null, 'null'],
    ['a numeric code', Object.assign(new Error('odd'), { code: 53300 }), 'odd'],
    [
      'a network-like code inside a longer one',
      Object.assign(new Error('odd'), { code: 'XECONNRESET' }),
      'odd',
    ],
  ])('%s is an engine failure without a SQLSTATE', (_name, cause, text) => {
    expect(toRotationError(cause, 'connecting', 'setSecret')).toMatchObject({
      code: 'ENGINE_FAILED',
      retryable: false,
      message: `PostgreSQL failed connecting: ${text}`,
    });
  });
});
