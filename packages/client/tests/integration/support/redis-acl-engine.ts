import { defineEngine, ENGINE_CONTRACT_VERSION, type RotationEngine } from '@rotor/core/engine';
import { Redis } from 'ioredis';
import { z } from 'zod';

const secretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().optional(),
  user_arn: z.string().optional(),
  masterarn: z.string().optional(),
});
export type AclSecret = z.infer<typeof secretSchema>;

/**
 * A minimal engine for the in-process scenarios: Redis ACL users changed with ACL SETUSER over an admin
 * connection, standing in for ElastiCache's control plane (two passwords per user, clones). The real
 * ElastiCache engine runs in the bundle scenario through the local endpoint.
 */
export function redisAclEngine(endpoint: {
  host: string;
  port: number;
  adminPassword: string;
}): RotationEngine<AclSecret> {
  const admin = () =>
    new Redis({
      host: endpoint.host,
      port: endpoint.port,
      password: endpoint.adminPassword,
      lazyConnect: true,
    });
  const setUser = async (username: string, passwords: readonly string[]) => {
    const client = admin();
    await client.connect();
    try {
      await client.call(
        'ACL',
        'SETUSER',
        username,
        'on',
        'resetpass',
        ...passwords.map((p) => `>${p}`),
        '~*',
        '+@all',
      );
    } finally {
      client.disconnect();
    }
  };
  return defineEngine<AclSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'redis-acl-test',
    secretSchema,
    passwordPolicy: {
      length: 24,
      minLength: 16,
      maxLength: 128,
      excludeCharacters: ',"/@\'\\ ',
      excludeUppercase: false,
      excludeLowercase: false,
      excludeNumbers: false,
      excludePunctuation: false,
      includeSpace: false,
      requireEachIncludedType: true,
    },
    capabilities: {
      maxPasswordsPerUser: 2,
      canCloneUsers: true,
      asyncChanges: false,
      changeAuthority: 'control-plane',
    },
    async login(user) {
      const client = new Redis({
        host: endpoint.host,
        port: endpoint.port,
        username: user.username,
        password: user.password,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      let refusal: Error | undefined;
      client.on('error', (error: Error) => {
        refusal = error;
      });
      try {
        await client.connect();
        await client.ping();
        return { status: 'accepted' };
      } catch (error) {
        return {
          status: 'rejected',
          reason: (refusal ?? (error as Error)).message.split(' ')[0] ?? 'refused',
        };
      } finally {
        client.disconnect();
      }
    },
    async setPasswords({ user, passwords }) {
      await setUser(user.username, passwords);
    },
    async cloneUser({ target }) {
      await setUser(target.username, [target.password!]);
    },
  });
}
