import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/elasticache/authentication.ts';
import { type AclBackend, createElastiCacheService } from '../../src/elasticache/index.ts';
import { AwsApiError, type ServiceContext } from '../../src/service.ts';

const context: ServiceContext = {
  region: 'us-east-1',
  accountId: '111122223333',
  readSecretString: async () => undefined,
};
const P1 = 'first-password-0001';
const P2 = 'second-password-0002';

/** Records what would reach Redis; `failNext` makes the next setUser fail like a Redis outage. */
function fakeBackend() {
  const calls: Array<{ op: string; name: string; rules?: readonly string[] }> = [];
  let failNext = 0;
  const backend: AclBackend = {
    endpoint: { host: '127.0.0.1', port: 6390 },
    async checkRules() {
      // Validation only: writes nothing, so it is not recorded.
    },
    async setUser(name, rules) {
      if (failNext > 0) {
        failNext--;
        throw new Error('connection refused');
      }
      calls.push({ op: 'setUser', name, rules });
    },
    async deleteUser(name) {
      calls.push({ op: 'deleteUser', name });
    },
    async killUserClients(name) {
      calls.push({ op: 'killUserClients', name });
    },
    async close() {},
  };
  return {
    backend,
    calls,
    failOnce() {
      failNext = 1;
    },
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const status = (xml: string) => /<Status>([^<]*)<\/Status>/.exec(xml)?.[1];
const createUser = (extra: Record<string, string> = {}) =>
  form({
    UserId: 'u1',
    UserName: 'app',
    Engine: 'redis',
    AccessString: 'on ~* +@all',
    'Passwords.member.1': P1,
    ...extra,
  });

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsApiError) return error.code;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

describe('ElastiCache service state machine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies a change to Redis only when the user turns active', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend, modifyingDelayMs: 1000 });
    const created = await service.handle('CreateUser', createUser(), context);
    expect(status(created)).toBe('modifying');
    expect(fake.calls).toEqual([]);

    await vi.advanceTimersByTimeAsync(999);
    expect(fake.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toEqual([
      { op: 'setUser', name: 'app', rules: [`#${hashPassword(P1)}`, 'on', '~*', '+@all'] },
    ]);
    const described = await service.handle('DescribeUsers', form({ UserId: 'u1' }), context);
    expect(status(described)).toBe('active');
  });

  it('keeps the user modifying and retries when Redis refuses the change', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend, modifyingDelayMs: 100 });
    fake.failOnce();
    await service.handle('CreateUser', createUser(), context);
    await vi.advanceTimersByTimeAsync(100);
    expect(status(await service.handle('DescribeUsers', form({ UserId: 'u1' }), context))).toBe('modifying');
    expect(
      await errorCode(
        service.handle('ModifyUser', form({ UserId: 'u1', 'Passwords.member.1': P2 }), context),
      ),
    ).toBe('InvalidUserState');
    await vi.advanceTimersByTimeAsync(500);
    expect(fake.calls.map((call) => call.op)).toEqual(['setUser']);
    expect(status(await service.handle('DescribeUsers', form({ UserId: 'u1' }), context))).toBe('active');
  });

  it('writes nothing when the input is refused', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend });
    expect(
      await errorCode(service.handle('CreateUser', createUser({ 'Passwords.member.1': 'short' }), context)),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(service.handle('CreateUser', createUser({ UserName: 'has space' }), context)),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(
        service.handle('CreateUser', createUser({ 'AuthenticationMode.Type': 'iam' }), context),
      ),
    ).toBe('InvalidParameterCombination');
    expect(await errorCode(service.handle('CreateUser', form({ UserId: 'u1' }), context))).toBe(
      'MissingParameter',
    );
    expect(fake.calls).toEqual([]);
    expect(status(await service.handle('DescribeUsers', form({}), context))).toBe('active');
    expect(await errorCode(service.handle('DescribeUsers', form({ UserId: 'u1' }), context))).toBe(
      'UserNotFound',
    );
  });

  it('never applies users named default: that Redis user is the admin login of the backing server', async () => {
    const fake = fakeBackend();
    const service = createElastiCacheService({ aclBackend: fake.backend });
    const created = await service.handle(
      'CreateUser',
      createUser({ UserId: 'new-default', UserName: 'default' }),
      context,
    );
    expect(status(created)).toBe('active');
    expect(fake.calls).toEqual([]);
    expect(
      await errorCode(
        service.handle('ModifyUser', form({ UserId: 'default', AppendAccessString: '+get' }), context),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('exports digests only and re-applies users on import', async () => {
    const first = fakeBackend();
    const source = createElastiCacheService({ aclBackend: first.backend });
    await source.handle('CreateUser', createUser(), context);
    await source.handle(
      'CreateUserGroup',
      form({ UserGroupId: 'g1', Engine: 'redis', 'UserIds.member.1': 'default', 'UserIds.member.2': 'u1' }),
      context,
    );
    const state = source.exportState();
    expect(JSON.stringify(state)).not.toContain(P1);
    expect(state.users.map((user) => user.userId)).toEqual(['u1']);

    const second = fakeBackend();
    const restored = createElastiCacheService({ aclBackend: second.backend });
    await restored.importState(JSON.parse(JSON.stringify(state)));
    expect(second.calls).toEqual([
      { op: 'setUser', name: 'app', rules: [`#${hashPassword(P1)}`, 'on', '~*', '+@all'] },
    ]);
    const described = await restored.handle('DescribeUsers', form({ UserId: 'u1' }), context);
    expect(described).toContain('<UserGroupIds><member>g1</member></UserGroupIds>');
  });

  it('answers unknown actions with InvalidAction', async () => {
    const service = createElastiCacheService({ aclBackend: fakeBackend().backend });
    expect(await errorCode(service.handle('CreateCacheCluster', form({}), context))).toBe('InvalidAction');
  });

  it('needs a Redis to talk to and a sane delay', () => {
    expect(() => createElastiCacheService({})).toThrow(/redisUrl/);
    expect(() =>
      createElastiCacheService({ aclBackend: fakeBackend().backend, modifyingDelayMs: -1 }),
    ).toThrow(/modifyingDelayMs/);
  });
});
