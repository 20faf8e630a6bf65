import { downgradeWarnings, tlsModeTransport } from '@rotor/lambda';
import { describe, expect, it } from 'vitest';

describe('tlsModeTransport', () => {
  it('maps the engines TLS modes to transports, and only verify-full counts as verified', () => {
    expect(tlsModeTransport('verify-full')).toBe('verified-tls');
    expect(tlsModeTransport('require')).toBe('unverified-tls');
    expect(tlsModeTransport('disable')).toBe('plaintext');
    const connections = (['verify-full', 'require', 'disable'] as const).map((mode) => ({
      name: `pg ${mode}`,
      transport: tlsModeTransport(mode),
    }));
    expect(downgradeWarnings(connections)).toEqual([
      'TLS downgrade: the pg require connection uses TLS without certificate verification',
      'TLS downgrade: the pg disable connection uses no TLS (passwords in clear text)',
    ]);
  });
});
