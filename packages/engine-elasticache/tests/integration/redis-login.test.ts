import { randomBytes } from 'node:crypto';
import { silentLogger } from '@rotor/core';
import type { StepContext } from '@rotor/core/engine';
import { type RedisServerHandle, startRedisServer } from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elastiCacheEngine, redisLogin } from '../../src/index.ts';
import { arnOf, FakeElastiCache } from '../unit/support/fake-elasticache.ts';

let server: RedisServerHandle;
let admin: Redis;
const password = `Pw-${randomBytes(12).toString('hex')}`;
const oldPassword = `Old-${randomBytes(12).toString('hex')}`;

/** `app` with two passwords (a dual-password user) and a disabled `off-user`. */
async function createUsers(client: Redis) {
  await client.call(
    'ACL',
    'SETUSER',
    'app',
    'on',
    'resetpass',
    `>${password}`,
    `>${oldPassword}`,
    '~app:*',
    '+get',
  );
  await client.call('ACL', 'SETUSER', 'off-user', 'off', 'resetpass', `>${password}`, '~*', '+get');
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: server.host, port: server.port, password: server.password, lazyConnect: true });
  await admin.connect();
  await createUsers(admin);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

const endpoint = () => ({ host: server.host, port: server.port, tls: false, rejectUnauthorized: true });
const request = (username: string, pw: string) => ({
  endpoint: endpoint(),
  username,
  password: pw,
  connectTimeoutMs: 2_000,
  signal: new AbortController().signal,
});

describe('redisLogin against a real redis-server (ACL users)', () => {
  it('accepts both passwords of a dual-password user', async () => {
    expect(await redisLogin(request('app', password))).toEqual({ status: 'accepted' });
    expect(await redisLogin(request('app', oldPassword))).toEqual({ status: 'accepted' });
  });

  it('rejects a wrong password with WRONGPASS, without echoing it', async () => {
    const wrong = `Wrong-${randomBytes(12).toString('hex')}`;
    const outcome = await redisLogin(request('app', wrong));
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' && outcome.reason).toMatch(/^WRONGPASS/);
    expect(JSON.stringify(outcome)).not.toContain(wrong);
  });

  it('rejects a disabled user and an unknown user', async () => {
    expect((await redisLogin(request('off-user', password))).status).toBe('rejected');
    expect((await redisLogin(request('nobody', password))).status).toBe('rejected');
  });

  it('rejects a wrong password even when the default user needs none (ElastiCache default user)', async () => {
    await admin.call('ACL', 'SETUSER', 'default', 'nopass');
    try {
      expect((await redisLogin(request('app', `${password}-wrong`))).status).toBe('rejected');
      expect((await redisLogin(request('app', password))).status).toBe('accepted');
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', 'resetpass', `>${server.password}`);
    }
  });

  it('reports an unreachable cache as a retryable error, not a rejection', async () => {
    await server.stop();
    const unreachable = redisLogin(request('app', password));
    await expect(unreachable).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true });
    server = await startRedisServer({ password: server.password });
    admin.disconnect();
    admin = new Redis({ host: server.host, port: server.port, password: server.password, lazyConnect: true });
    await admin.connect();
    await createUsers(admin);
  });

  it('with TLS on (the default) against a plain-text server fails as unavailable, never as accepted', async () => {
    const outcome = redisLogin({
      ...request('app', password),
      endpoint: { ...endpoint(), tls: true },
      connectTimeoutMs: 1_000,
    });
    await expect(outcome).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });
});

describe('engine.login: control plane + real AUTH', () => {
  const context = (): StepContext => ({
    step: 'testSecret',
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
    clientRequestToken: 't',
    logger: silentLogger,
    signal: new AbortController().signal,
    remainingTimeMs: () => 60_000,
    functionScope: { partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
  });

  it('logs in with the secret endpoint fields; the wrong password is rejected', async () => {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    const engine = elastiCacheEngine({ client: elasticache.client });
    const secret = {
      username: 'app',
      user_arn: arnOf('app'),
      host: server.host,
      port: String(server.port),
      tls: false,
    };
    expect(await engine.login({ ...secret, password }, context())).toEqual({ status: 'accepted' });
    const wrong = await engine.login({ ...secret, password: `${password}x` }, context());
    expect(wrong.status).toBe('rejected');
  });

  it('uses the engine dataPlane endpoint when the secret has none', async () => {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    const engine = elastiCacheEngine({
      client: elasticache.client,
      dataPlane: { host: server.host, port: server.port, tls: false },
    });
    expect(
      await engine.login({ username: 'app', user_arn: arnOf('app'), password: oldPassword }, context()),
    ).toEqual({
      status: 'accepted',
    });
  });

  it('skips (with a reason) when no endpoint is known, and for a disabled user', async () => {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    elasticache.addSeedUser('user1', { authType: 'password', passwords: [password] });
    const engine = elastiCacheEngine({ client: elasticache.client });
    const noEndpoint = await engine.login({ username: 'app', user_arn: arnOf('app'), password }, context());
    expect(noEndpoint).toMatchObject({ status: 'skipped', reason: expect.stringContaining('endpoint') });
    const disabled = await engine.login(
      {
        username: 'user1',
        user_arn: arnOf('user1'),
        password,
        host: server.host,
        port: server.port,
        tls: false,
      },
      context(),
    );
    expect(disabled).toMatchObject({ status: 'skipped', reason: expect.stringContaining('disabled') });
  });

  it('never accepts for a no-password user (any AUTH would succeed)', async () => {
    const elasticache = new FakeElastiCache();
    elasticache.addSeedUser('user1', { AccessString: 'on ~* +@all' });
    const engine = elastiCacheEngine({ client: elasticache.client });
    const outcome = await engine.login(
      {
        username: 'user1',
        user_arn: arnOf('user1'),
        password,
        host: server.host,
        port: server.port,
        tls: false,
      },
      context(),
    );
    expect(outcome.status).toBe('rejected');
  });
});

describe('redisLogin over TLS against a real redis-server (self-signed certificate)', () => {
  let tlsServer: RedisServerHandle;
  beforeAll(async () => {
    tlsServer = await startRedisServer({ tls: true });
    const tlsAdmin = new Redis(tlsServer.url, { tls: { ca: tlsServer.tls!.ca, servername: 'localhost' } });
    await tlsAdmin.call('ACL', 'SETUSER', 'app', 'on', 'resetpass', `>${password}`, '~app:*', '+get');
    tlsAdmin.disconnect();
  });
  afterAll(() => tlsServer?.stop());

  const tlsRequest = (pw: string, rejectUnauthorized: boolean) => ({
    ...request('app', pw),
    endpoint: { host: tlsServer.host, port: tlsServer.port, tls: true, rejectUnauthorized },
  });

  it('verifies the certificate by default: an untrusted server is unavailable, never accepted', async () => {
    await expect(redisLogin(tlsRequest(password, true))).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/certificate/i),
    });
  });

  it('logs in over TLS when verification is turned off; a wrong password is still rejected', async () => {
    expect(await redisLogin(tlsRequest(password, false))).toEqual({ status: 'accepted' });
    expect((await redisLogin(tlsRequest(`${password}x`, false))).status).toBe('rejected');
  });

  it('with TLS off against a TLS-only server fails as unavailable', async () => {
    const plain = {
      ...request('app', password),
      endpoint: { ...tlsRequest(password, false).endpoint, tls: false },
    };
    await expect(redisLogin({ ...plain, connectTimeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
  });
});
