/**
 * The real Redis behind the emulated ElastiCache users: every change is an `ACL SETUSER` on the backing
 * server, sent over an admin connection. Only password digests (`#<sha256>`) are ever sent.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { invalidValue } from './query-input.js';

export interface AclBackend {
  /** Checks access-string rules on a throwaway user; throws InvalidParameterValue when Redis refuses one. */
  checkRules(rules: readonly string[]): Promise<void>;
  /** Replaces everything about a user in one atomic `ACL SETUSER <name> reset ...`. */
  setUser(name: string, rules: readonly string[]): Promise<void>;
  /** `ACL DELUSER`, which also closes the user's connections; a missing user is not an error. */
  deleteUser(name: string): Promise<void>;
  /** Closes a user's open connections (`CLIENT KILL USER`), as removing it from a user group does. */
  killUserClients(name: string): Promise<void>;
  /** Where clients connect, reported as the replication group's endpoint. */
  readonly endpoint: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

function replyMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRedisAclBackend(redisUrl: string): AclBackend {
  const url = new URL(redisUrl);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
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

    async killUserClients(name) {
      try {
        await command('CLIENT', ['KILL', 'USER', name]);
      } catch (error) {
        // Redis answers "No such user" when the ACL user is already gone: nothing left to close.
        if (!/no such user/i.test(replyMessage(error))) throw error;
      }
    },

    async close() {
      if (connected) await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
