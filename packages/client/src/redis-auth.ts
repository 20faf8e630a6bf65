import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { Credentials } from './credentials.js';

/** Where one Redis connection goes; `tls` undefined means plain TCP. */
export interface RedisTarget {
  host: string;
  port: number;
  tls: TlsConnectionOptions | undefined;
  connectTimeoutMs: number;
}

const CONNECTION_CLOSED = 'Connection is closed.';
const NO_PASSWORD_CONFIGURED = /without any password configured|no password is set/;

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/**
 * Opens a socket to `target`, sends `AUTH username password` over raw RESP and resolves with the socket
 * once the server answered +OK. A refusal rejects with `replyError(serverMessage)` (WRONGPASS ...), which
 * the recovery loop classifies; a network failure rejects with the socket's error. Shared by the ioredis
 * connector (which hands the socket to ioredis) and the node-redis glue (which checks credentials on the
 * node before node-redis's own handshake).
 */
export function authenticateRedisSocket(
  target: RedisTarget,
  credentials: Credentials,
  replyError: (message: string) => Error = (message) => new Error(message),
): Promise<Socket> {
  const { host, port, tls } = target;
  return new Promise<Socket>((resolve, reject) => {
    // SNI carries host names only (RFC 6066); cluster nodes are often announced by IP.
    const socket = tls
      ? tlsConnect({ ...(isIP(host) ? {} : { servername: host }), ...tls, host, port })
      : netConnect({ host, port });
    let reply = '';
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onData = (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end === -1) return;
      const line = reply.slice(0, end);
      // A server without passwords refuses AUTH but serves us anyway (ioredis only warns, too).
      if (line.startsWith('+') || NO_PASSWORD_CONFIGURED.test(line)) finish(undefined);
      else finish(replyError(line.slice(1)));
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new Error(CONNECTION_CLOSED));
    const timer = setTimeout(() => {
      finish(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    }, target.connectTimeoutMs);
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      // Redis 6+ (and ElastiCache RBAC) take a username; the secret always has one.
      socket.write(encodeCommand(['AUTH', credentials.username, credentials.password]));
    });
  });
}
