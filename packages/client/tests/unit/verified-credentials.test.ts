import { createServer, type Server, type Socket } from 'node:net';
import { createSecretCache } from '@rotor/client';
import { silentLogger } from '@rotor/core';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialSource } from '../../src/credential-source.ts';
import { tlsOptionsOf, verifiedCredentialsProvider } from '../../src/redis/verified-credentials.ts';
import { resolveRecoveryOptions } from '../../src/with-credentials.ts';

/**
 * A stand-in Redis on loopback that accepts one password and answers AUTH like Redis does (no auth rules
 * of its own beyond that): enough to see which credentials the provider checks before handing them over.
 */
let server: Server;
let port = 0;
const accepted = { password: 'new-password-1' };
const authAttempts: string[] = [];
beforeAll(async () => {
  server = createServer((socket: Socket) => {
    socket.on('data', (chunk) => {
      const parts = chunk.toString('utf8').split('\r\n');
      const password = parts[6] ?? '';
      authAttempts.push(password);
      socket.write(
        password === accepted.password
          ? '+OK\r\n'
          : '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
      );
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function settingsFor(sm: MockSecretsManager, warnings: string[] = []) {
  const cache = createSecretCache({ client: sm.client, logger: silentLogger });
  const recovery = { logger: silentLogger, baseDelayMs: 1, maxDelayMs: 2 };
  return {
    source: credentialSource(cache, 'app'),
    limits: resolveRecoveryOptions(recovery),
    recovery,
    logger: { ...silentLogger, warn: (message: string) => warnings.push(message) },
  };
}

describe('verifiedCredentialsProvider (node-redis)', () => {
  it('hands node-redis only credentials the node just accepted: AWSPENDING inside the single-user gap', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('app', { username: 'app', password: 'old-password-1' });
    sm.putPending('app', { username: 'app', password: 'new-password-1' });
    authAttempts.length = 0;
    const provider = verifiedCredentialsProvider(settingsFor(sm), () => ({
      host: '127.0.0.1',
      port,
      tls: undefined,
      connectTimeoutMs: 2_000,
    }));
    expect(provider.type).toBe('async-credentials-provider');
    await expect(provider.credentials()).resolves.toEqual({ username: 'app', password: 'new-password-1' });
    expect(authAttempts).toEqual(['old-password-1', 'new-password-1']);
  });

  it('rejects with the refusal when no candidate is accepted (node-redis then reconnects under its strategy)', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('app', { username: 'app', password: 'wrong-password-1' });
    const provider = verifiedCredentialsProvider(settingsFor(sm), () => ({
      host: '127.0.0.1',
      port,
      tls: undefined,
      connectTimeoutMs: 2_000,
    }));
    await expect(provider.credentials()).rejects.toThrow(/^WRONGPASS/);
  });

  it('without a node to check, warns and returns the current credentials unchecked', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('app', { username: 'app', password: 'old-password-1' });
    const warnings: string[] = [];
    const provider = verifiedCredentialsProvider(settingsFor(sm, warnings), () => undefined);
    await expect(provider.credentials()).resolves.toEqual({ username: 'app', password: 'old-password-1' });
    expect(warnings).toEqual([expect.stringContaining('did not say which node')]);
    expect(warnings.join()).not.toContain('old-password-1');
  });
});

describe('tlsOptionsOf', () => {
  it("keeps node-redis's TLS options for the check connection, without node-redis's own keys", () => {
    expect(tlsOptionsOf({ host: 'h', port: 1 })).toBeUndefined();
    expect(tlsOptionsOf({ tls: false, ca: 'x' })).toBeUndefined();
    expect(
      tlsOptionsOf({
        tls: true,
        ca: 'pem',
        servername: 'cache',
        host: 'h',
        port: 1,
        reconnectStrategy: () => 1,
      }),
    ).toEqual({ ca: 'pem', servername: 'cache' });
  });
});
