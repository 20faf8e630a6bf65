import { randomBytes } from 'node:crypto';
import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { type RedisServerHandle, startRecordingListener, startRedisServer } from '@rotor/local-aws/harness';
import { stepContext } from '@rotor/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLogin } from '../../src/redis-login.ts';
import { arnOf, FakeElastiCache } from '../unit/support/fake-elasticache.ts';
import { capturingLogger } from '../unit/support/rotation.ts';

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

describe('engine.login: control plane, trusted endpoints, real AUTH', () => {
  /** `app` in group g1, which the replication group rg-1 (the real plain-text server) holds. */
  function world(engineOptions: Parameters<typeof elastiCacheEngine>[0] = {}) {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'default', UserName: 'default' });
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    elasticache.addGroup('g1', ['default', 'app']);
    elasticache.addCache({
      id: 'rg-1',
      kind: 'replication-group',
      host: server.host,
      port: server.port,
      tls: false,
      userGroupId: 'g1',
    });
    const logger = capturingLogger();
    const engine = elastiCacheEngine({ client: elasticache.client, ...engineOptions });
    const context = () => stepContext({ step: 'testSecret', logger: logger.logger });
    const app = (extra: Record<string, unknown> = {}) => ({
      username: 'app',
      user_arn: arnOf('app'),
      password,
      ...extra,
    });
    return { elasticache, engine, context, app, logger };
  }

  it('logs in at the caches whose user group holds the user; a wrong password is rejected', async () => {
    const { engine, context, app, logger } = world();
    expect(await engine.login({ user: app() }, context())).toEqual({ status: 'accepted' });
    const wrong = await engine.login({ user: app({ password: `${password}x` }) }, context());
    expect(wrong).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('replication group rg-1'),
    });
    // A cache without in-transit encryption (impossible for RBAC on AWS) is a loud downgrade.
    expect(logger.lines.some((line) => line.startsWith('warn') && line.includes('TLS downgrade'))).toBe(true);
  });

  it('uses the configured endpoint (dataPlane.host) when the secret names none', async () => {
    const { engine, context, app } = world({
      dataPlane: { host: server.host, port: server.port, tls: false },
    });
    expect(await engine.login({ user: app({ password: oldPassword }) }, context())).toEqual({
      status: 'accepted',
    });
  });

  it('a secret host that is a trusted endpoint is used; any other is refused before a byte is sent', async () => {
    const attacker = await startRecordingListener();
    try {
      const { engine, context, app } = world();
      expect(
        await engine.login({ user: app({ host: server.host, port: String(server.port) }) }, context()),
      ).toEqual({
        status: 'accepted',
      });
      for (const secret of [
        app({ host: '127.0.0.1', port: attacker.port, tls: false }),
        app({ host: 'localhost', port: server.port }),
      ]) {
        await expect(engine.login({ user: secret }, context())).rejects.toMatchObject({
          code: 'INVALID_SECRET',
          retryable: false,
          message: expect.stringContaining('no password was sent'),
        });
        await expect(engine.preflight!({ user: secret }, context())).rejects.toMatchObject({
          code: 'INVALID_SECRET',
        });
      }
      expect(attacker.seen()).toEqual({ connections: 0, bytes: 0 });
    } finally {
      await attacker.close();
    }
  });

  it('is disabled for a user that is switched off or in no user group a cache holds; rejected without a password', async () => {
    const { elasticache, engine, context, app } = world();
    elasticache.addSeedUser('user1', { authType: 'password', passwords: [password] });
    elasticache.groups.get('g1')!.UserIds.push('user1');
    expect(
      await engine.login({ user: { username: 'user1', user_arn: arnOf('user1'), password } }, context()),
    ).toMatchObject({ status: 'disabled', reason: expect.stringContaining('switched off') });
    elasticache.caches.get('rg-1')!.userGroupId = undefined;
    expect(await engine.login({ user: app() }, context())).toMatchObject({
      status: 'disabled',
      reason: expect.stringContaining('no user group associated with a cache'),
    });
    elasticache.addSeedUser('nopass', { AccessString: 'on ~* +@all' });
    expect(
      (await engine.login({ user: { username: 'nopass', user_arn: arnOf('nopass'), password } }, context()))
        .status,
    ).toBe('rejected');
  });

  // Found by `pnpm mutation elasticache --sample` (bench/results/mutation-elasticache.md): with the address check
  // removed, a cache without an address yet became an endpoint with no host, which the client reads as localhost.
  it('a cache without an endpoint address yet (creating) is no endpoint: no password goes anywhere', async () => {
    const local = await startRecordingListener();
    try {
      const { elasticache, engine, context, app } = world();
      const cache = elasticache.caches.get('rg-1')!;
      cache.host = '';
      cache.port = local.port;
      expect(await engine.login({ user: app() }, context())).toMatchObject({
        status: 'disabled',
        reason: expect.stringContaining('no user group associated with a cache'),
      });
      expect(local.seen()).toEqual({ connections: 0, bytes: 0 });
    } finally {
      await local.close();
    }
  });

  it('a cache the control plane names but this function cannot reach is skipped; a configured one is an error', async () => {
    const gone = await startRecordingListener();
    await gone.close();
    const { elasticache, engine, context, app } = world({ dataPlane: { connectTimeoutMs: 500 } });
    elasticache.caches.get('rg-1')!.port = gone.port;
    expect(await engine.login({ user: app() }, context())).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('cannot reach replication group rg-1'),
    });
    const configured = elastiCacheEngine({
      client: elasticache.client,
      dataPlane: { host: '127.0.0.1', port: gone.port, tls: false, connectTimeoutMs: 500 },
    });
    await expect(configured.login({ user: app() }, context())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
    });
  });
});

describe('engine.login with configured caches (dataPlane.caches, ROTOR_CACHE_ARNS)', () => {
  const RG_1 = 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:rg-1';
  const RG_2 = 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:rg-2';

  /** `app` in g1, which rg-1 (the real server) holds; rg-2 holds another group. */
  function world(caches: string[]) {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'default', UserName: 'default' });
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    elasticache.users.get('app')!.UserGroupIds.push('g1');
    elasticache.addGroup('g1', ['default', 'app']);
    elasticache.addGroup('g2', ['default']);
    elasticache.addCache({
      id: 'rg-1',
      kind: 'replication-group',
      host: server.host,
      port: server.port,
      tls: false,
      userGroupId: 'g1',
    });
    elasticache.addCache({
      id: 'rg-2',
      kind: 'replication-group',
      host: '127.0.0.1',
      port: 1,
      tls: true,
      userGroupId: 'g2',
    });
    const engine = elastiCacheEngine({ client: elasticache.client, dataPlane: { caches } });
    const context = () => stepContext({ step: 'testSecret', logger: capturingLogger().logger });
    const app = (pw = password) => ({ username: 'app', user_arn: arnOf('app'), password: pw });
    const calls = () => elasticache.mock.calls().map((call) => call.args[0].constructor.name);
    return { elasticache, engine, context, app, calls };
  }

  it('finds the caches among the configured ones with one call each and no DescribeUserGroups; logs in there', async () => {
    const { engine, context, app, calls } = world([RG_1, RG_2]);
    expect(await engine.login({ user: app() }, context())).toEqual({ status: 'accepted' });
    expect(await engine.login({ user: app(`${password}x`) }, context())).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('replication group rg-1'),
    });
    expect(calls().filter((name) => name !== 'DescribeUsersCommand')).toEqual([
      'DescribeReplicationGroupsCommand',
      'DescribeReplicationGroupsCommand',
    ]);
  });

  it("a user whose groups are on none of the configured caches is not proven (skipped), never 'disabled'", async () => {
    const { engine, context, app } = world([RG_2]);
    expect(await engine.login({ user: app() }, context())).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('ROTOR_CACHE_ARNS'),
    });
  });

  it('a user in no user group is disabled without a cache lookup', async () => {
    const { elasticache, engine, context, app, calls } = world([RG_1]);
    elasticache.users.get('app')!.UserGroupIds = [];
    expect(await engine.login({ user: app() }, context())).toMatchObject({ status: 'disabled' });
    expect(calls()).toEqual(['DescribeUsersCommand']);
  });

  it('refuses a configured cache of another account before any call to it, and a malformed ARN at construction', async () => {
    const { engine, context, app, calls } = world([
      'arn:aws:elasticache:us-east-1:999999999999:replicationgroup:rg-1',
    ]);
    await expect(engine.login({ user: app() }, context())).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      retryable: false,
      message: expect.stringMatching(/ROTOR_CACHE_ARNS.*account 999999999999/),
    });
    expect(calls()).toEqual(['DescribeUsersCommand']);
    expect(() =>
      elastiCacheEngine({ dataPlane: { caches: ['arn:aws:elasticache:us-east-1:123456789012:user:app'] } }),
    ).toThrow(/replication group or serverless cache ARN/);
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

  it('verifies the certificate by default: an untrusted server is an error, never accepted nor skipped', async () => {
    await expect(redisLogin(tlsRequest(password, true))).rejects.toMatchObject({
      code: 'ENGINE_FAILED',
      retryable: false,
      message: expect.stringMatching(/certificate that does not verify.*no password was sent/i),
    });
  });

  it('logs in over TLS when verification is turned off; a wrong password is still rejected', async () => {
    expect(await redisLogin(tlsRequest(password, false))).toEqual({ status: 'accepted' });
    expect((await redisLogin(tlsRequest(`${password}x`, false))).status).toBe('rejected');
  });

  it('verifies a cache with the configured CA file, and ignores (with a warning) a secret saying tls: false', async () => {
    const elasticache = new FakeElastiCache();
    elasticache.addUser({ UserId: 'default', UserName: 'default' });
    elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [password] });
    elasticache.addGroup('g1', ['default', 'app']);
    elasticache.addCache({
      id: 'sc-1',
      kind: 'serverless',
      host: tlsServer.host,
      port: tlsServer.port,
      tls: false, // serverless caches always use TLS, whatever anyone says
      userGroupId: 'g1',
    });
    const engine = elastiCacheEngine({
      client: elasticache.client,
      dataPlane: { caFile: tlsServer.tls!.caFile },
    });
    const logger = capturingLogger();
    const context = stepContext({ step: 'testSecret', logger: logger.logger });
    const secret = { username: 'app', user_arn: arnOf('app'), password, tls: false };
    expect(await engine.login({ user: secret }, context)).toEqual({ status: 'accepted' });
    expect((await engine.login({ user: { ...secret, password: `${password}x` } }, context)).status).toBe(
      'rejected',
    );
    expect(logger.lines.filter((line) => line.includes('"tls": false is ignored'))).toHaveLength(1);
    // Without the CA the certificate is not trusted: an error, never accepted nor skipped.
    const untrusting = elastiCacheEngine({
      client: elasticache.client,
      dataPlane: { connectTimeoutMs: 1_000 },
    });
    await expect(
      untrusting.login({ user: secret }, stepContext({ step: 'testSecret' })),
    ).rejects.toMatchObject({
      code: 'ENGINE_FAILED',
    });
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
