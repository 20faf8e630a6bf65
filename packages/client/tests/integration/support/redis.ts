import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';

export const newRedisPassword = () => `Pw-${randomBytes(12).toString('hex')}`;

/** ACL rules of a user with one password and every permission. */
export const aclRules = (password: string) => ['on', `>${password}`, '~*', '+@all'];

/** An ElastiCache secret: username, password, user_arn (no endpoint fields). */
export const elastiCacheSecret = (username: string, password: string) => ({
  username,
  password,
  user_arn: `arn:aws:elasticache:us-east-1:123456789012:user:${username}`,
});

/**
 * One ioredis login, never retried: resolves with the server's first error message (`WRONGPASS ...`)
 * when the login is refused, and throws when the server accepts it. The negative controls use it.
 */
export async function refusalOf(target: {
  host: string;
  port: number;
  username: string;
  password: string;
  tls?: ConnectionOptions | undefined;
}): Promise<string> {
  const client = new Redis({ ...target, lazyConnect: true, retryStrategy: () => null });
  const errors: string[] = [];
  client.on('error', (error: Error) => errors.push(error.message));
  try {
    await client.connect();
  } catch {
    return errors[0] ?? 'refused without a server error';
  } finally {
    client.disconnect();
  }
  throw new Error(`${target.username} logged in to ${target.host}:${target.port}; a refusal was expected`);
}
