/**
 * @rotor/client/pg against a real PostgreSQL (harness, md5 password authentication): the pool and the
 * one-shot connect follow password changes made underneath them, recover mid-rotation with AWSPENDING,
 * swap users for alternating-users secrets, and never retry errors that are not refused logins.
 */
import { randomBytes } from 'node:crypto';
import { createSecretCache, type SecretCache } from '@rotor/client';
import { connect, createRotatingPool } from '@rotor/client/pg';
import { silentLogger } from '@rotor/core';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSuperuser, md5PasswordHash } from './support/postgres.ts';

let server: PostgresServerHandle;
const newPassword = () => `Pw${randomBytes(12).toString('hex')}`;
const md5Hash = md5PasswordHash;
const admin = (sql: string) => asSuperuser(server, sql);

const setPassword = (user: string, password: string) =>
  admin(`ALTER USER "${user}" PASSWORD '${md5Hash(password, user)}'`);

function secretValue(username: string, password: string) {
  return {
    engine: 'redshift',
    host: server.host,
    port: String(server.port),
    username,
    password,
    dbname: 'postgres',
  };
}

function setup(name: string, user: string, password: string) {
  const sm = new MockSecretsManager();
  sm.createSecret(name, secretValue(user, password));
  const cache: SecretCache = createSecretCache({ client: sm.client, logger: silentLogger, ttlMs: 300_000 });
  return { sm, cache };
}

const recovery = { logger: silentLogger, baseDelayMs: 10, maxDelayMs: 50, budgetMs: 2_000 };

beforeAll(async () => {
  server = await startPostgresServer();
  for (const user of ['pool_user', 'one_shot', 'alt_user', 'alt_user_clone', 'net_user']) {
    await admin(`CREATE USER "${user}" PASSWORD '${md5Hash('Initial1', user)}'`);
  }
});

afterAll(async () => {
  await server?.stop();
});

describe('negative control', () => {
  it('the server refuses a wrong password with SQLSTATE 28P01', async () => {
    const client = new pg.Client({
      connectionString: server.connectionString({ user: 'pool_user', password: 'Wrong1pw' }),
    });
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it("a secret whose password is wrong everywhere surfaces the server's 28P01 after bounded retries", async () => {
    const { sm, cache } = setup('wrong', 'one_shot', 'Wrong1pw');
    const started = Date.now();
    await expect(
      connect({ secretId: 'wrong', cache, recovery: { ...recovery, maxAttempts: 4 } }),
    ).rejects.toMatchObject({ code: '28P01' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sm.calls('DescribeSecret')).toBe(4); // first read + one check per refusal (3)
  });
});

describe('createRotatingPool', () => {
  it('logs in with the secret, follows a completed rotation and recovers inside the single-user gap', async () => {
    const { sm, cache } = setup('pool', 'pool_user', 'Initial1');
    const pool = createRotatingPool({
      secretId: 'pool',
      cache,
      recovery,
      logger: silentLogger,
      pool: { max: 2, idleTimeoutMillis: 1 },
    });
    try {
      expect(pool).toBeInstanceOf(pg.Pool);
      expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe('pool_user');

      // single-user rotation stopped between setSecret and finishSecret
      const p2 = newPassword();
      const v2 = sm.putPending('pool', secretValue('pool_user', p2));
      await setPassword('pool_user', p2);
      await new Promise((r) => setTimeout(r, 20)); // idle clients close
      expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      expect((await pool.source.get()).stage).toBe('AWSPENDING');

      // finishSecret, then the next rotation completes entirely while the cache is stale
      sm.promote('pool', v2);
      const p3 = newPassword();
      sm.promote('pool', sm.putPending('pool', secretValue('pool_user', p3)));
      await setPassword('pool_user', p3);
      await new Promise((r) => setTimeout(r, 20));
      const client = await pool.connect();
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('pool_user');
      client.release();
      expect((await pool.source.get()).password).toBe(p3);
    } finally {
      await pool.end();
    }
  });

  it('swaps the user for an alternating-users secret (user is not a function in pg)', async () => {
    const { sm, cache } = setup('alt', 'alt_user', 'Initial1');
    const pool = createRotatingPool({
      secretId: 'alt',
      cache,
      recovery,
      logger: silentLogger,
      pool: { max: 1, idleTimeoutMillis: 1 },
    });
    try {
      expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe('alt_user');
      const p2 = newPassword();
      await setPassword('alt_user_clone', p2);
      sm.promote('alt', sm.putPending('alt', secretValue('alt_user_clone', p2)));
      cache.invalidate('alt');
      await new Promise((r) => setTimeout(r, 20));
      expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe('alt_user_clone');
    } finally {
      await pool.end();
    }
  });

  it('supports the callback form of connect, retrying a refused login', async () => {
    const p1 = newPassword();
    await setPassword('alt_user', p1);
    const { sm, cache } = setup('callback', 'alt_user', p1);
    const pool = createRotatingPool({
      secretId: 'callback',
      cache,
      recovery,
      logger: silentLogger,
      pool: { max: 1, idleTimeoutMillis: 1 },
    });
    try {
      await pool.query('SELECT 1');
      const p2 = newPassword();
      sm.putPending('callback', secretValue('alt_user', p2));
      await setPassword('alt_user', p2);
      await new Promise((r) => setTimeout(r, 20));
      const user = await new Promise<string>((resolve, reject) => {
        pool.connect((error, client, done) => {
          if (error || !client) return reject(error);
          client.query('SELECT current_user AS u').then(
            (result) => {
              done();
              resolve(result.rows[0].u);
            },
            (queryError: Error) => {
              done(queryError);
              reject(queryError);
            },
          );
        });
      });
      expect(user).toBe('alt_user');
    } finally {
      await pool.end();
    }
  });

  it('with retryConnect: false, a refused login surfaces at once (pg behaviour, credentials still from the secret)', async () => {
    const p1 = newPassword();
    await setPassword('alt_user', p1);
    const { sm, cache } = setup('plain', 'alt_user', p1);
    const pool = createRotatingPool({
      secretId: 'plain',
      cache,
      retryConnect: false,
      recovery,
      logger: silentLogger,
      pool: { max: 1, idleTimeoutMillis: 1 },
    });
    try {
      expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe('alt_user');
      const p2 = newPassword();
      sm.promote('plain', sm.putPending('plain', secretValue('alt_user', p2)));
      await setPassword('alt_user', p2);
      await new Promise((r) => setTimeout(r, 20));
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
      expect(sm.calls('DescribeSecret')).toBe(1); // no recovery: the cache was not re-checked
    } finally {
      await pool.end();
    }
  });

  it('rejects pool options that carry credentials, before connecting', () => {
    const { cache } = setup('bad', 'pool_user', 'Initial1');
    expect(() => createRotatingPool({ secretId: 'bad', cache, pool: { password: 'x' } as never })).toThrow(
      /remove password/,
    );
    expect(() => createRotatingPool({ secretId: '', cache })).toThrow(/secretId/);
  });

  it('recycles connections after maxLifetimeSeconds', async () => {
    const { cache } = setup('life', 'pool_user', (await currentPoolPassword()) ?? 'Initial1');
    const pool = createRotatingPool({
      secretId: 'life',
      cache,
      recovery,
      logger: silentLogger,
      pool: { max: 1, maxLifetimeSeconds: 1 },
    });
    try {
      const first = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await new Promise((r) => setTimeout(r, 1_200));
      const second = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      expect(second).not.toBe(first);
    } finally {
      await pool.end();
    }
  });
});

/** The pool test above leaves pool_user with a generated password; later tests set their own. */
async function currentPoolPassword(): Promise<string | undefined> {
  const p = newPassword();
  await setPassword('pool_user', p);
  return p;
}

describe('connect (one-shot)', () => {
  it('does not refresh or retry when the server is unreachable (network error)', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('net', { ...secretValue('net_user', 'Initial1'), port: '1' });
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    await expect(connect({ secretId: 'net', cache, recovery })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(sm.calls('DescribeSecret')).toBe(1);
  });

  it('explicit client options win over the secret endpoint fields', async () => {
    const sm = new MockSecretsManager();
    sm.createSecret('explicit', { ...secretValue('net_user', 'Initial1'), host: 'db.invalid', port: '1' });
    const cache = createSecretCache({ client: sm.client, logger: silentLogger });
    const client = await connect({
      secretId: 'explicit',
      cache,
      recovery,
      client: { host: server.host, port: server.port },
    });
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('net_user');
    await client.end();
  });
});
