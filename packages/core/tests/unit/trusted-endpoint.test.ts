import { describe, expect, it } from 'vitest';
import {
  assertSecretKeepsTls,
  findEndpoint,
  parseHostPort,
  sameHost,
  tlsForSecret,
} from '../../src/engine/trusted-endpoint.ts';

describe('parseHostPort', () => {
  it('reads host, host:port and [IPv6]:port, with the default port', () => {
    expect(parseHostPort('db.internal', 5432)).toEqual({ host: 'db.internal', port: 5432 });
    expect(parseHostPort(' 10.0.0.5:5439 ', 5432)).toEqual({ host: '10.0.0.5', port: 5439 });
    expect(parseHostPort('[::1]:6543', 5432)).toEqual({ host: '::1', port: 6543 });
  });

  it.each(['', 'db:port', 'db:70000', 'user@db', 'db/x', '::1:5432', 'db:0'])('refuses "%s"', (text) => {
    expect(() => parseHostPort(text, 5432)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIGURATION' }),
    );
  });
});

describe('findEndpoint', () => {
  const trusted = [
    { host: 'Cluster.abc.eu-west-1.redshift.amazonaws.com', port: 5439 },
    { host: '10.0.0.5', port: 5439 },
  ];

  it('matches host names without case or trailing dot, and the port exactly', () => {
    expect(sameHost('DB.example.', 'db.example')).toBe(true);
    expect(findEndpoint(trusted, { host: 'cluster.abc.eu-west-1.redshift.amazonaws.com.', port: 5439 })).toBe(
      trusted[0],
    );
    expect(findEndpoint(trusted, { host: '10.0.0.5', port: 5439 })).toBe(trusted[1]);
  });

  it('finds nothing for another host or another port of a trusted host', () => {
    expect(findEndpoint(trusted, { host: 'attacker.example', port: 5439 })).toBeUndefined();
    expect(findEndpoint(trusted, { host: '10.0.0.5', port: 5440 })).toBeUndefined();
    expect(findEndpoint(trusted, { host: '10.0.0.50', port: 5439 })).toBeUndefined();
  });
});

describe('assertSecretKeepsTls', () => {
  const check = { setting: 'pg.tls verify-full', step: 'createSecret' as const };

  it.each([
    [{ ssl: false }],
    [{ ssl: 'false' }],
    [{ sslmode: 'disable' }],
    [{ sslmode: 'prefer' }],
    [{ sslmode: 'require' }],
    [{ sslmode: 'verify-ca' }],
    [{ tls: false }],
    [{ SSLMode: 'allow' }],
    [{ rejectUnauthorized: false }],
  ])('refuses %j against verified TLS, naming the key', (secret) => {
    expect(() => assertSecretKeepsTls({ username: 'app', ...secret }, 'verify-full', check)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SECRET',
        step: 'createSecret',
        message: expect.stringContaining(`"${Object.keys(secret)[0]}" asks for weaker TLS`),
      }),
    );
  });

  it('accepts keys that ask for as much or more, and secrets without TLS keys', () => {
    expect(() =>
      assertSecretKeepsTls({ ssl: true, sslmode: 'verify-full' }, 'verify-full', check),
    ).not.toThrow();
    expect(() => assertSecretKeepsTls({ sslmode: 'require' }, 'require', check)).not.toThrow();
    expect(() => assertSecretKeepsTls({ ssl: false }, 'disable', check)).not.toThrow();
    expect(() => assertSecretKeepsTls({ username: 'app', host: 'db' }, 'verify-full', check)).not.toThrow();
  });

  it('refuses a TLS key whose value means nothing, without echoing it', () => {
    expect(() => assertSecretKeepsTls({ ssl: 'sometimes' }, 'disable', check)).toThrow(
      expect.objectContaining({ code: 'INVALID_SECRET', message: expect.not.stringContaining('sometimes') }),
    );
  });
});

describe('tlsForSecret', () => {
  it('lets a secret ask for more TLS than the function uses, never for less', () => {
    expect(tlsForSecret({ ssl: true }, 'disable')).toBe('verify-full');
    expect(tlsForSecret({ ssl: 'true' }, 'require')).toBe('verify-full');
    expect(tlsForSecret({ sslmode: 'require' }, 'disable')).toBe('require');
    expect(tlsForSecret({ sslmode: 'require' }, 'verify-full')).toBe('verify-full');
    expect(tlsForSecret({ ssl: false }, 'verify-full')).toBe('verify-full');
    expect(tlsForSecret({ username: 'app', SSL: 'verify-full' }, 'disable')).toBe('verify-full');
  });

  it('without TLS keys the function decides', () => {
    for (const mode of ['disable', 'require', 'verify-full'] as const) {
      expect(tlsForSecret({ host: 'db', port: 5432 }, mode)).toBe(mode);
    }
  });
});
