import { Redis } from 'ioredis';

/** Where a cache listens: its port on 127.0.0.1 and, for a TLS cache, the certificate that verifies it. */
export interface CacheAddress {
  port: number;
  ca?: string | undefined;
}

/**
 * One login to a real Redis with ioredis and one PING: resolves `PONG`, or rejects with the server's own
 * error (`WRONGPASS ...`, `NOPERM ...`). Never retries, so a refused password fails at once. A cache with
 * a certificate is reached over verified TLS.
 */
export async function redisLogin(cache: CacheAddress, username: string, password: string): Promise<string> {
  const client = new Redis({
    port: cache.port,
    host: '127.0.0.1',
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(cache.ca !== undefined ? { tls: { ca: cache.ca } } : {}),
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
