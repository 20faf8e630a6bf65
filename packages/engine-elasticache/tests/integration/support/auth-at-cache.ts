import { Redis } from 'ioredis';

/**
 * `AUTH username password` on a fresh TLS connection to a cache on 127.0.0.1, independently of the
 * engine: true for OK, false for WRONGPASS; anything else (unreachable, bad certificate) throws.
 */
export async function authAtCache(
  cache: { port: number; ca: string },
  username: string,
  password: string,
): Promise<boolean> {
  const connection = new Redis({
    host: '127.0.0.1',
    port: cache.port,
    tls: { ca: cache.ca },
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  connection.on('error', () => {});
  try {
    await connection.connect();
    return (await connection.call('AUTH', username, password)) === 'OK';
  } catch (error) {
    if (/WRONGPASS/.test(String((error as Error).message))) return false;
    throw error;
  } finally {
    connection.disconnect();
  }
}
