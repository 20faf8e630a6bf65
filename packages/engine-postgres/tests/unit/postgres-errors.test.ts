import { describe, expect, it } from 'vitest';
import { toRotationError } from '../../src/postgres-client.ts';

describe('toRotationError', () => {
  it('counts a TLS certificate the client refuses as unavailability (retryable), as core defines it', () => {
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
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
});
