import { describe, expect, it } from 'vitest';
import { checkLocalRequest, isLocalOrigin, isLoopbackHost } from '../../src/http/local-origin.ts';

describe('loopback Host and local Origin', () => {
  it('accepts the loopback names with the endpoint port or none, and nothing else', () => {
    for (const host of [
      '127.0.0.1:4566',
      'localhost:4566',
      '[::1]:4566',
      '127.0.0.1',
      'localhost',
      '[::1]',
      'LocalHost:4566',
    ]) {
      expect(isLoopbackHost(host, 4566), host).toBe(true);
    }
    for (const host of [
      '127.0.0.1:4567',
      'localhost:',
      'attacker.example:4566',
      'localhost.attacker.example',
      '127.0.0.2:4566',
      '[::2]:4566',
      '::1',
      '',
      '127.0.0.1:4566:4566',
    ]) {
      expect(isLoopbackHost(host, 4566), host).toBe(false);
    }
  });

  it('accepts http(s) origins on a loopback name with any port', () => {
    for (const origin of [
      'http://127.0.0.1:3000',
      'https://localhost',
      'http://[::1]:8080',
      'http://localhost:4566',
    ]) {
      expect(isLocalOrigin(origin), origin).toBe(true);
    }
    for (const origin of [
      'null',
      'https://evil.example',
      'http://127.0.0.1.evil.example',
      'file://',
      'ws://localhost:3000',
      '',
    ]) {
      expect(isLocalOrigin(origin), origin).toBe(false);
    }
  });

  it('refuses a request without Host, with a foreign Host or with a foreign Origin, as 403 in both protocols', () => {
    expect(checkLocalRequest({ host: '127.0.0.1:4566' }, 4566)).toBeUndefined();
    expect(
      checkLocalRequest({ host: '127.0.0.1:4566', origin: 'http://localhost:5173' }, 4566),
    ).toBeUndefined();
    for (const headers of [
      {},
      { host: 'attacker.example' },
      { host: '127.0.0.1:4566', origin: 'https://evil.example' },
    ]) {
      expect(checkLocalRequest(headers, 4566), JSON.stringify(headers)).toMatchObject({
        awsJson: { code: 'AccessDeniedException', statusCode: 403 },
        awsQuery: { code: 'AccessDenied', statusCode: 403 },
      });
    }
    expect(checkLocalRequest({}, 4566)?.message).toContain('the Host header was missing');
    expect(checkLocalRequest({ host: 'x'.repeat(500) }, 4566)?.message.length).toBeLessThan(300);
  });
});
