import { type AddressInfo, createServer, type Socket } from 'node:net';

export interface RecordingListener {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Connections accepted and bytes received so far: `{ connections: 0, bytes: 0 }` proves nothing was sent. */
  seen(): { connections: number; bytes: number };
  close(): Promise<void>;
}

/**
 * A TCP listener on a free loopback port that answers nothing and records every connection and byte:
 * the fake cache an attacker would name in a secret, to prove that no password ever reached it.
 */
export async function startRecordingListener(): Promise<RecordingListener> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    seen: () => ({ connections, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
