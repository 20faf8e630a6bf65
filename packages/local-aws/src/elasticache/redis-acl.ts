/**
 * The real Redis behind one emulated cache: every change is an `ACL SETUSER` (or `ACL DELUSER`) on the
 * backing server, sent over an admin connection. Only password digests (`#<sha256>`) are ever sent.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { invalidValue } from './query-input.js';

export interface AclBackend {
  /** Checks access-string rules on a throwaway user; throws InvalidParameterValue when Redis refuses one. */
  checkRules(rules: readonly string[]): Promise<void>;
  /** Replaces everything about a user in one atomic `ACL SETUSER <name> reset ...`. */
  setUser(name: string, rules: readonly string[]): Promise<void>;
  /**
   * `ACL DELUSER`: the user can no longer log in, and Redis closes its open connections
   * (ACLFreeUserAndKillClients in redis/redis src/acl.c). A missing user is not an error.
   */
  deleteUser(name: string): Promise<void>;
  /** Where clients connect, reported as the cache's endpoint. */
  readonly endpoint: { readonly host: string; readonly port: number };
  /** Whether the server speaks TLS (a `rediss://` URL): the cache's TransitEncryptionEnabled. */
  readonly transitEncryption: boolean;
  close(): Promise<void>;
}

export interface RedisAclBackendOptions {
  /** PEM certificate(s) to verify a TLS server with (the harness's `tls.ca`). */
  ca?: string | undefined;
}

function replyMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRedisAclBackend(redisUrl: string, options: RedisAclBackendOptions = {}): AclBackend {
  const url = new URL(redisUrl);
  const transitEncryption = url.protocol === 'rediss:';
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    ...(transitEncryption ? { tls: { ...(options.ca ? { ca: options.ca } : {}) } } : {}),
  });
  let connected: Promise<void> | undefined;
  const ready = () => {
    connected ??= redis.connect();
    return connected;
  };
  const command = async (name: string, args: string[]) => {
    await ready();
    return redis.call(name, args);
  };

  return {
    endpoint: { host: url.hostname, port: Number(url.port || 6379) },
    transitEncryption,

    async checkRules(rules) {
      const scratch = `rotor-local-aws-check-${randomUUID()}`;
      try {
        await command('ACL', ['SETUSER', scratch, 'reset', ...rules]);
      } catch (error) {
        // Redis's message names the offending rule, which is access-string text, never a password.
        throw invalidValue(`Invalid access string: ${replyMessage(error).replace(/^ERR /, '')}`);
      } finally {
        await command('ACL', ['DELUSER', scratch]);
      }
    },

    async setUser(name, rules) {
      await command('ACL', ['SETUSER', name, 'reset', ...rules]);
    },

    async deleteUser(name) {
      await command('ACL', ['DELUSER', name]);
    },

    async close() {
      if (connected) await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
