import { createServer, type Socket } from 'node:net';

/** PostgreSQL's SSLRequest code: the first packet of a client that wants TLS. */
const SSL_REQUEST_CODE = 80877103;

/**
 * A listener posing as PostgreSQL at an address a secret could name, for tests that must show nothing reaches
 * it: it records every connection and byte, answers an SSLRequest with "N" and never authenticates anyone.
 */
export interface FakePostgresListener {
  readonly host: string;
  readonly port: number;
  /** Connections accepted. */
  readonly connections: number;
  /** SSLRequests received (answered "N": no TLS here). */
  readonly sslRequests: number;
  /** Everything clients sent, for "no password ever arrived" assertions. */
  received(): Buffer;
  close(): Promise<void>;
}

export async function startFakePostgresListener(): Promise<FakePostgresListener> {
  const chunks: Buffer[] = [];
  const state = { connections: 0, sslRequests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      chunks.push(data);
      if (data.length >= 8 && data.readInt32BE(0) === 8 && data.readInt32BE(4) === SSL_REQUEST_CODE) {
        state.sslRequests += 1;
        socket.write('N');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    get connections() {
      return state.connections;
    },
    get sslRequests() {
      return state.sslRequests;
    },
    received: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
