/**
 * @rotor/client/ioredis against a real redis-server (harness, ACL users): every (re)connect
 * authenticates with the secret's current credentials and recovers from WRONGPASS before ioredis
 * sees it, so commands queued across a forced reconnect do not fail.
 */

import { createSecretCache } from '@rotor/client';
import { connectRedis, createRotatingRedis } from '@rotor/client/ioredis';
import { silentLogger } from '@rotor/core';
import { InvalidSecretError } from '@rotor/core/errors';
import { type RedisServerHandle, startRedisServer } from '@rotor/local-aws/harness';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elastiCacheSecret, newRedisPassword, refusalOf } from './support/redis.ts';

let server: RedisServerHandle;
let admin: Redis;
const newPassword = newRedisPassword;
const recovery = { logger: silentLogger, baseDelayMs: 10, maxDelayMs: 50, budgetMs: 2_000 };

const setPasswords = (user: string, ...passwords: string[]) =>
  admin.call('ACL', 'SETUSER', user, 'on', 'resetpass', ...passwords.map((p) => `>${p}`), '~*', '+@all');

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: server.host, port: server.port, password: server.password, lazyConnect: true });
  await admin.connect();
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

describe('negative control', () => {
  it('the server refuses a wrong password with WRONGPASS', async () => {
    await setPasswords('neg', 'Right-password-123');
    expect(
      await refusalOf({
        host: server.host,
        port: server.port,
        username: 'neg',
        password: 'Wrong-password-123',
      }),
    ).toMatch(/^WRONGPASS/);
    const probe = new Redis({
      host: server.host,
      port: server.port,
      username: 'neg',
      password: 'Right-password-123',
      lazyConnect: true,
    });
    await probe.connect();
    expect(await probe.ping()).toBe('PONG');
    probe.disconnect();
  });

  it('connectRedis surfaces WRONGPASS when every candidate is refused', async () => {
    await setPasswords('neg2', 'Right-password-123');
    const sm = new MockSecretsManager();
    sm.createSecret('neg2', elastiCacheSecret('neg2', 'Wrong-password-123'));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    await expect(
      connectRedis({
        secretId: 'neg2',
        cache,
        recovery: { ...recovery, maxAttempts: 3 },
        redis: { host: server.host, port: server.port },
      }),
    ).rejects.toThrow(/^WRONGPASS/);
  });
});

describe('connectRedis (one-shot)', () => {
  it('recovers inside the single-user gap with AWSPENDING (ElastiCache secret + explicit endpoint)', async () => {
    const p1 = newPassword();
    await setPasswords('solo', p1);
    const sm = new MockSecretsManager();
    sm.createSecret('solo', elastiCacheSecret('solo', p1));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const options = {
      secretId: 'solo',
      cache,
      recovery,
      logger: silentLogger,
      redis: { host: server.host, port: server.port },
    };
    const first = await connectRedis(options);
    expect(await first.call('ACL', 'WHOAMI')).toBe('solo');
    first.disconnect();
    const p2 = newPassword();
    sm.putPending('solo', elastiCacheSecret('solo', p2));
    await setPasswords('solo', p2); // ModifyUser with [pending] only
    const second = await connectRedis(options);
    expect(await second.ping()).toBe('PONG');
    second.disconnect();
  });

  it('reads host and port from the secret when it has them', async () => {
    const p1 = newPassword();
    await setPasswords('withhost', p1);
    const sm = new MockSecretsManager();
    sm.createSecret('withhost', {
      ...elastiCacheSecret('withhost', p1),
      host: server.host,
      port: server.port,
      tls: false,
    });
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const client = await connectRedis({ secretId: 'withhost', cache, recovery });
    expect(await client.call('ACL', 'WHOAMI')).toBe('withhost');
    client.disconnect();
  });

  it('reconnects later drops (retryStrategy restored after the first connect), re-authenticating', async () => {
    const p1 = newPassword();
    await setPasswords('later', p1);
    const sm = new MockSecretsManager();
    sm.createSecret('later', elastiCacheSecret('later', p1));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const client = await connectRedis({
      secretId: 'later',
      cache,
      recovery,
      logger: silentLogger,
      redis: { host: server.host, port: server.port, retryStrategy: () => 10 },
    });
    client.on('error', () => {});
    const p2 = newPassword();
    sm.promote('later', sm.putPending('later', elastiCacheSecret('later', p2)));
    await setPasswords('later', p2);
    await admin.call('CLIENT', 'KILL', 'USER', 'later');
    expect(await client.incr('later:n')).toBe(1);
    expect(await client.call('ACL', 'WHOAMI')).toBe('later');
    client.disconnect();
  });

  it('does not refresh on a network error', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('net', elastiCacheSecret('net', 'Whatever-password-1'));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    await expect(
      connectRedis({ secretId: 'net', cache, recovery, redis: { host: '127.0.0.1', port: 1 } }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(sm.calls('DescribeSecret')).toBe(1);
  });

  it('rejects redis options that carry credentials', () => {
    const sm = new MockSecretsManager();
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    expect(() => createRotatingRedis({ secretId: 'x', cache, redis: { password: 'x' } as never })).toThrow(
      /remove password/,
    );
  });
});

describe('createRotatingRedis (long-lived)', () => {
  it('when recovery gives up, ioredis reports the error and retries; a queued command succeeds once the secret is fixed', async () => {
    const good = newPassword();
    await setPasswords('fixme', good);
    const sm = new MockSecretsManager();
    sm.createSecret('fixme', elastiCacheSecret('fixme', 'Wrong-password-1234'));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const client = createRotatingRedis({
      secretId: 'fixme',
      cache,
      logger: silentLogger,
      recovery: { ...recovery, maxAttempts: 2 },
      redis: { host: server.host, port: server.port, retryStrategy: () => 50, maxRetriesPerRequest: null },
    });
    const errors: string[] = [];
    client.on('error', (error: Error) => errors.push(error.message));
    try {
      const queued = client.set('fixme:key', 'v');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((message) => message.startsWith('WRONGPASS'))).toBe(true);
      expect(client.status).not.toBe('ready');
      // An operator stores the right password; the next reconnect re-reads the secret.
      sm.promote('fixme', sm.putPending('fixme', elastiCacheSecret('fixme', good)));
      await expect(queued).resolves.toBe('OK');
      expect(await client.get('fixme:key')).toBe('v');
    } finally {
      client.disconnect();
    }
  });

  it('keeps every command succeeding across rotations and forced reconnects; a static-password client fails', async () => {
    let password = newPassword();
    await setPasswords('live', password);
    const sm = new MockSecretsManager();
    sm.createSecret('live', elastiCacheSecret('live', password));
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const rotating = createRotatingRedis({
      secretId: 'live',
      cache,
      recovery,
      logger: silentLogger,
      redis: { host: server.host, port: server.port, retryStrategy: () => 5 },
    });
    const naive = new Redis({
      host: server.host,
      port: server.port,
      username: 'live',
      password,
      retryStrategy: () => 5,
    });
    naive.on('error', () => {});
    rotating.on('error', () => {});
    const counts = { rotating: { ok: 0, failed: 0, hung: 0 }, naive: { ok: 0, failed: 0, hung: 0 } };
    let running = true;
    const loop = async (client: Redis, tally: { ok: number; failed: number; hung: number }) => {
      while (running) {
        // ioredis 6.0.0 sometimes leaves a command pending forever after a refused re-AUTH (seen on the
        // static-password client, despite commandTimeout): a command unsettled after 1 s counts as failed.
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<'hung'>((resolve) => {
          timer = setTimeout(() => resolve('hung'), 1_000);
        });
        try {
          const outcome = await Promise.race([client.incr('live:counter'), hung]);
          if (outcome === 'hung') {
            tally.failed++;
            tally.hung++;
          } else tally.ok++;
        } catch {
          tally.failed++;
        } finally {
          clearTimeout(timer);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const loops = [loop(rotating, counts.rotating), loop(naive, counts.naive)];
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 60));
        // single-user rotation: createSecret, setSecret, kill connections (worst case), finishSecret
        const next = newPassword();
        const token = sm.putPending('live', elastiCacheSecret('live', next));
        await setPasswords('live', next);
        await admin.call('CLIENT', 'KILL', 'USER', 'live');
        await new Promise((r) => setTimeout(r, 60));
        sm.promote('live', token);
        password = next;
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      running = false;
      await Promise.all(loops);
      rotating.disconnect();
      naive.disconnect();
    }
    console.info(`long-lived Redis client, 5 rotations with forced reconnects: ${JSON.stringify(counts)}`);
    expect(counts.rotating.failed).toBe(0);
    expect(counts.rotating.ok).toBeGreaterThan(50);
    expect(counts.naive.failed).toBeGreaterThan(0);
  });
});

describe('bad configuration (createRotatingRedis)', () => {
  it('a secret that is not JSON fails the queued command with InvalidSecretError; the client ends instead of retrying', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('not-json', 'username=app password=secret');
    const client = createRotatingRedis({
      secretId: 'not-json',
      cache: createSecretCache({ client: sm.client, logger: silentLogger }),
      recovery,
      redis: { host: server.host, port: server.port },
    });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const failure = await client.get('k').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidSecretError);
    expect(String((failure as Error).message)).not.toContain('password=secret');
    expect(errors[0]).toBe(failure);
    const reads = sm.calls('GetSecretValue');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sm.calls('GetSecretValue')).toBe(reads);
    expect(client.status).toBe('end');
  });
});
