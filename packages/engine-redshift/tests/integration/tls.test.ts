/**
 * TLS of the pg transport against a minimal server that speaks PostgreSQL's SSLRequest handshake with a
 * self-signed certificate (tests/fixtures), then refuses the login: enough to see whether the client
 * verified the certificate, and that nothing after the handshake is sent to a server that failed it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import type { RedshiftEngineOptions } from '@rotor/engine-redshift';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext } from '../support/step-context.ts';

const fixtures = join(import.meta.dirname, '../fixtures');
const cert = readFileSync(join(fixtures, 'test-server.crt'), 'utf8');
const key = readFileSync(join(fixtures, 'test-server.key'), 'utf8');
const otherCert = readFileSync(join(fixtures, 'other-host.crt'), 'utf8');
const otherKey = readFileSync(join(fixtures, 'other-host.key'), 'utf8');
const SSL_REQUEST_CODE = 80877103;

interface FakeServer {
  port: number;
  /** Connections whose TLS handshake completed. */
  secured: number;
  /** Startup messages received after TLS (they carry the user name). */
  startups: number;
  close(): Promise<void>;
}

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/** Accepts TLS when `offerTls`, then answers the startup message with "password authentication failed". */
async function startFakeServer(
  offerTls: boolean,
  identity: { key: string; cert: string } = { key, cert },
): Promise<FakeServer> {
  const state = { secured: 0, startups: 0 };
  const server: Server = createServer((socket: Socket) => {
    socket.once('data', (request) => {
      if (request.length < 8 || request.readInt32BE(4) !== SSL_REQUEST_CODE) return socket.destroy();
      if (!offerTls) {
        socket.write('N');
        return;
      }
      socket.write('S');
      const tls = new TLSSocket(socket, { isServer: true, ...identity });
      tls.on('secure', () => {
        state.secured += 1;
      });
      tls.on('error', () => undefined);
      tls.once('data', () => {
        state.startups += 1;
        tls.end(errorResponse('28P01', 'password authentication failed for user "app"'));
      });
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get secured() {
      return state.secured;
    },
    get startups() {
      return state.startups;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let tlsServer: FakeServer;
let plainServer: FakeServer;
let wrongNameServer: FakeServer;

beforeAll(async () => {
  tlsServer = await startFakeServer(true);
  plainServer = await startFakeServer(false);
  wrongNameServer = await startFakeServer(true, { key: otherKey, cert: otherCert });
});

afterAll(async () => {
  await tlsServer?.close();
  await plainServer?.close();
  await wrongNameServer?.close();
});

/** An engine whose configuration allows exactly the fake server on `port`. */
const engineFor = (port: number, options: RedshiftEngineOptions = {}) =>
  redshiftEngine({ ...options, allowedHosts: [`127.0.0.1:${port}`] });

const user = (port: number, host = '127.0.0.1') =>
  redshiftSecretSchema.parse({ engine: 'redshift', host, port, username: 'app', password: 'AppPassw0rdXyz' });

describe('pg transport TLS', () => {
  it('verifies certificates by default: a self-signed one is refused before any login is sent', async () => {
    const before = tlsServer.startups;
    await expect(
      engineFor(tlsServer.port).login({ user: user(tlsServer.port) }, stepContext()),
    ).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
      message: expect.stringMatching(/certificate/i),
    });
    expect(tlsServer.startups).toBe(before);
  });

  it('trusts a given CA, checking the address against the certificate', async () => {
    const engine = engineFor(tlsServer.port, { pg: { ca: cert } });
    const outcome = await engine.login({ user: user(tlsServer.port) }, stepContext());
    expect(outcome.status).toBe('rejected');
    expect(tlsServer.startups).toBeGreaterThan(0);
  });

  it('refuses a trusted certificate issued for another name', async () => {
    const engine = engineFor(wrongNameServer.port, { pg: { ca: otherCert } });
    await expect(engine.login({ user: user(wrongNameServer.port) }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/altnames|certificate|Hostname/i),
    });
    expect(wrongNameServer.secured).toBe(0);
    expect(wrongNameServer.startups).toBe(0);
  });

  it('"require" encrypts without verifying', async () => {
    const engine = engineFor(tlsServer.port, { pg: { tls: 'require' } });
    expect((await engine.login({ user: user(tlsServer.port) }, stepContext())).status).toBe('rejected');
  });

  it('fails clearly when the server does not offer TLS', async () => {
    await expect(
      engineFor(plainServer.port).login({ user: user(plainServer.port) }, stepContext()),
    ).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/SSL/),
    });
  });

  it('gives up connecting when the step is out of time, even before the connect timeout', async () => {
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const engine = engineFor(port, { pg: { connectTimeoutMs: 20_000 } });
      const started = Date.now();
      await expect(
        engine.login({ user: user(port) }, stepContext({ remainingTimeMs: () => 700 })),
      ).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });
});
