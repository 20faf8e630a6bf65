/**
 * The ioredis Connector's TLS path (ElastiCache RBAC requires in-transit encryption), against a small
 * TLS server that speaks just enough RESP (AUTH, HELLO refused, CLIENT, INFO, PING). The real-server
 * tests in tests/integration cover plain TCP against redis-server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { createSecretCache } from '@rotor/client';
import { connectRedis } from '@rotor/client/ioredis';
import { silentLogger } from '@rotor/core';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USER = 'tls-user';
let password = 'Tls-password-0001';
let server: Server;
let cert: string;
const auths: string[] = [];

/** Parses complete RESP arrays of bulk strings from `buffer`; returns the commands and the rest. */
function parseCommands(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    if (buffer[at] !== '*') break;
    const headerEnd = buffer.indexOf('\r\n', at);
    if (headerEnd === -1) break;
    const count = Number(buffer.slice(at + 1, headerEnd));
    let cursor = headerEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const lengthEnd = buffer.indexOf('\r\n', cursor);
      if (lengthEnd === -1) return { commands, rest: buffer.slice(at) };
      const length = Number(buffer.slice(cursor + 1, lengthEnd));
      const start = lengthEnd + 2;
      if (buffer.length < start + length + 2) return { commands, rest: buffer.slice(at) };
      args.push(buffer.slice(start, start + length));
      cursor = start + length + 2;
    }
    commands.push(args);
    at = cursor;
  }
  return { commands, rest: buffer.slice(at) };
}

function reply(command: string[]): string {
  const name = command[0]?.toUpperCase();
  if (name === 'AUTH') {
    auths.push(command[1] ?? '');
    return command[1] === USER && command[2] === password
      ? '+OK\r\n'
      : '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
  }
  if (name === 'HELLO') return "-ERR unknown command 'HELLO'\r\n";
  if (name === 'PING') return '+PONG\r\n';
  if (name === 'INFO') {
    const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
    return `$${Buffer.byteLength(info)}\r\n${info}\r\n`;
  }
  return '+OK\r\n';
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-client-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    server = createServer({ key, cert }, (socket) => {
      let buffered = '';
      socket.on('data', (chunk) => {
        const parsed = parseCommands(buffered + chunk.toString('utf8'));
        buffered = parsed.rest;
        for (const command of parsed.commands) socket.write(reply(command));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('AuthenticatingConnector over TLS', () => {
  const options = (cache: ReturnType<typeof createSecretCache>) => ({
    secretId: 'tls',
    cache,
    logger: silentLogger,
    recovery: { logger: silentLogger, baseDelayMs: 5, maxDelayMs: 20 },
    redis: {
      host: 'localhost',
      port: (server.address() as AddressInfo).port,
      tls: { ca: cert },
      connectTimeout: 2_000,
    },
  });

  it('authenticates over TLS (certificate verified) and serves commands', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('tls', {
      username: USER,
      password,
      user_arn: 'arn:aws:elasticache:us-east-1:1:user:tls-user',
    });
    const client = await connectRedis(
      options(createSecretCache({ client: sm.client, logger: silentLogger })),
    );
    client.on('error', () => {});
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    expect(auths.at(-1)).toBe(USER);
  });

  it('recovers from a refused AUTH over TLS with AWSPENDING', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('tls', {
      username: USER,
      password,
      user_arn: 'arn:aws:elasticache:us-east-1:1:user:tls-user',
    });
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    password = 'Tls-password-0002';
    sm.putPending('tls', {
      username: USER,
      password,
      user_arn: 'arn:aws:elasticache:us-east-1:1:user:tls-user',
    });
    const before = auths.length;
    const client = await connectRedis(options(cache));
    client.on('error', () => {});
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    expect(auths.length - before).toBe(2); // refused with AWSCURRENT, accepted with AWSPENDING
  });

  it('refuses a server whose certificate is not trusted (no silent downgrade)', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('tls', {
      username: USER,
      password,
      user_arn: 'arn:aws:elasticache:us-east-1:1:user:tls-user',
    });
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const untrusted = options(cache);
    await expect(
      connectRedis({ ...untrusted, redis: { ...untrusted.redis, tls: {} } }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/) });
  });
});
