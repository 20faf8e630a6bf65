import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';

/**
 * One login to a real Redis with ioredis and one PING: resolves `PONG`, or rejects with the server's own
 * error (`WRONGPASS ...`, `NOPERM ...`). Never retries, so a refused password fails at once.
 */
export async function redisLogin(
  port: number,
  username: string,
  password: string,
  tls?: ConnectionOptions,
): Promise<string> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    ...(tls ? { tls } : {}),
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let serverError: Error | undefined;
  client.on('error', (error: Error) => {
    serverError ??= error;
  });
  try {
    await client.connect();
    return await client.ping();
  } catch (error) {
    throw serverError ?? error;
  } finally {
    client.disconnect();
  }
}
