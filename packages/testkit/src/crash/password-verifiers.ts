/**
 * Tests of whether a password opens a credential a server stores, for `heldCredentials` adapters: Redis
 * ACL password hashes, PostgreSQL's SCRAM-SHA-256 and md5 verifiers.
 */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/** Redis keeps each ACL password as its SHA-256, in hex (ACL GETUSER's `passwords`). */
export function redisPasswordHash(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}

/**
 * Whether `password` opens a PostgreSQL `rolpassword`: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
 * or `md5<md5(password + username)>`. Passwords are used as given (no SASLprep), like Rotor's generators.
 */
export function postgresVerifierOpens(verifier: string, username: string, password: string): boolean {
  if (verifier.startsWith('md5')) {
    const expected = `md5${createHash('md5')
      .update(password + username)
      .digest('hex')}`;
    return safeEqual(expected, verifier);
  }
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, storedKey] = match;
  const salted = pbkdf2Sync(password, Buffer.from(salt!, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const computed = createHash('sha256').update(clientKey).digest('base64');
  return safeEqual(computed, storedKey!);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
