import { DescribeUserGroupsCommand, type User } from '@aws-sdk/client-elasticache';
import { EngineUnavailableError, type LoginResult } from '@rotor/core/engine';
import { stepContext } from '@rotor/testkit';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlPlane } from '../../src/control-plane.ts';
import { CACHE_DISCOVERY_TTL_MS, createLoginTester, type LoginTesterOptions } from '../../src/login-test.ts';
import { type LoginRequest, redisLogin } from '../../src/redis-login.ts';
import { parseUserArn } from '../../src/user-ids.ts';
import { arnOf, FakeElastiCache } from './support/fake-elasticache.ts';
import { capturingLogger } from './support/rotation.ts';

// No server: each AUTH is answered per host, and every attempt is recorded (where, and whether over TLS).
vi.mock('../../src/redis-login.ts', () => ({ redisLogin: vi.fn() }));
const login = vi.mocked(redisLogin);
let answers: Record<string, () => Promise<LoginResult>>;

const ref = parseUserArn(arnOf('user1'))!;
const PASSWORD = 'Pw-0123456789-abcdef';
const user: User = { UserId: 'user1', UserName: 'user1', Status: 'active', UserGroupIds: ['g-main'] };

beforeEach(() => {
  answers = {};
  login.mockReset();
  login.mockImplementation(async (request: LoginRequest) => {
    const answer = answers[request.endpoint.host];
    return answer ? answer() : { status: 'accepted' };
  });
});

function tester(options: Partial<LoginTesterOptions> = {}, now?: () => number) {
  const elasticache = new FakeElastiCache();
  elasticache.addUser({ UserId: 'user1', UserName: 'user1' });
  elasticache.addGroupOnCache('g-main', ['user1']);
  elasticache.addCache({
    id: 'sessions',
    kind: 'serverless',
    host: 'sessions.cache',
    port: 6379,
    tls: true,
    userGroupId: 'g-main',
  });
  const loginTester = createLoginTester(
    {
      controlPlane: new ControlPlane({ client: elasticache.client }),
      configured: undefined,
      configuredCaches: undefined,
      rejectUnauthorized: true,
      ca: undefined,
      connectTimeoutMs: 1_000,
      ...options,
    },
    now,
  );
  return { elasticache, loginTester };
}

const secret = (extra: Record<string, unknown> = {}) => ({
  username: 'user1',
  user_arn: arnOf('user1'),
  ...extra,
});
const attempts = () =>
  login.mock.calls.map(
    ([request]) => `${request.endpoint.host}:${request.endpoint.port} tls=${request.endpoint.tls}`,
  );

describe("the secret's tls never turns TLS off", () => {
  it.each([
    ['the string "false"', 'false'],
    ['false', false],
  ])(
    'tls: %s is warned about once per invocation as ignored, and every AUTH still uses TLS',
    async (_label, tls) => {
      const { loginTester } = tester();
      const { lines, logger } = capturingLogger();
      const context = stepContext({ step: 'testSecret', logger });
      const input = { secret: secret({ tls }), ref, user, password: PASSWORD };
      expect(await loginTester.login(input, context)).toEqual({ status: 'accepted' });
      expect(await loginTester.login(input, context)).toEqual({ status: 'accepted' });
      expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
        expect.stringContaining(`The secret's "tls": false is ignored`),
      ]);
      expect(attempts()).toEqual([
        'orders.cache:6379 tls=true',
        'sessions.cache:6379 tls=true',
        'orders.cache:6379 tls=true',
        'sessions.cache:6379 tls=true',
      ]);
      expect(lines.join('\n')).not.toContain(PASSWORD);
    },
  );

  it('also at the configured endpoint the secret picks: TLS as configured', async () => {
    const { loginTester } = tester({
      configured: { name: 'the configured cache', host: 'primary.cache', port: 6380, tls: true },
    });
    const { lines, logger } = capturingLogger();
    const context = stepContext({ step: 'testSecret', logger });
    const input = {
      secret: secret({ tls: 'false', host: 'primary.cache', port: '6380' }),
      ref,
      user,
      password: PASSWORD,
    };
    expect(await loginTester.login(input, context)).toEqual({ status: 'accepted' });
    expect(attempts()).toEqual(['primary.cache:6380 tls=true']);
    expect(lines.some((line) => line.startsWith('warn') && line.includes('"tls": false is ignored'))).toBe(
      true,
    );
  });

  it.each([['true'], [true], [undefined]])('tls: %j gives no warning', async (tls) => {
    const { loginTester } = tester();
    const { lines, logger } = capturingLogger();
    const context = stepContext({ step: 'testSecret', logger });
    const input = { secret: secret(tls === undefined ? {} : { tls }), ref, user, password: PASSWORD };
    expect(await loginTester.login(input, context)).toEqual({ status: 'accepted' });
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });

  it('a cache with in-transit encryption off is warned about as a downgrade (the control plane decides, not the secret)', async () => {
    const { elasticache, loginTester } = tester();
    elasticache.caches.get('orders')!.tls = false;
    const { lines, logger } = capturingLogger();
    const context = stepContext({ step: 'testSecret', logger });
    await loginTester.login({ secret: secret(), ref, user, password: PASSWORD }, context);
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
      expect.stringContaining('TLS downgrade: replication group orders has in-transit encryption off'),
    ]);
    expect(attempts()).toEqual(['orders.cache:6379 tls=false', 'sessions.cache:6379 tls=true']);
  });
});

describe('the outcome over every cache holding the user', () => {
  it('one cache refusing the password is a rejection naming it, even when another accepts', async () => {
    const { loginTester } = tester();
    answers['sessions.cache'] = async () => ({ status: 'rejected', reason: 'WRONGPASS' });
    expect(
      await loginTester.login({ secret: secret(), ref, user, password: PASSWORD }, stepContext()),
    ).toEqual({
      status: 'rejected',
      reason: 'serverless cache sessions: WRONGPASS',
    });
  });

  it('a cache that cannot be reached makes it skipped (not proven), naming the cache', async () => {
    const { loginTester } = tester();
    answers['orders.cache'] = async () => {
      throw new EngineUnavailableError('connect ETIMEDOUT orders.cache:6379');
    };
    const outcome = await loginTester.login(
      { secret: secret(), ref, user, password: PASSWORD },
      stepContext(),
    );
    expect(outcome.status).toBe('skipped');
    expect(outcome.status === 'skipped' && outcome.reason).toContain(
      'cannot reach replication group orders from here (connect ETIMEDOUT orders.cache:6379)',
    );
  });

  it('any other failure of an attempt is not hidden', async () => {
    const { loginTester } = tester();
    const failure = new Error('certificate verify failed');
    answers['orders.cache'] = async () => {
      throw failure;
    };
    await expect(
      loginTester.login({ secret: secret(), ref, user, password: PASSWORD }, stepContext()),
    ).rejects.toBe(failure);
  });
});

describe('the caches found for a user are reused for a while, then looked up again', () => {
  it('asks the control plane once within the time to live, again after it, and after forgetCaches', async () => {
    let now = 0;
    const { elasticache, loginTester } = tester({}, () => now);
    const groupLookups = () => elasticache.mock.commandCalls(DescribeUserGroupsCommand).length;
    const input = { secret: secret(), ref, user, password: PASSWORD };
    await loginTester.login(input, stepContext());
    now = CACHE_DISCOVERY_TTL_MS - 1;
    await loginTester.login(input, stepContext());
    expect(groupLookups()).toBe(1);
    now = CACHE_DISCOVERY_TTL_MS;
    await loginTester.login(input, stepContext());
    expect(groupLookups()).toBe(2);
    loginTester.forgetCaches();
    await loginTester.login(input, stepContext());
    expect(groupLookups()).toBe(3);
    // A user whose groups changed is looked up afresh.
    await loginTester.login(
      { ...input, user: { ...user, UserGroupIds: ['g-main', 'g-new'] } },
      stepContext(),
    );
    expect(groupLookups()).toBe(5);
  });
});
