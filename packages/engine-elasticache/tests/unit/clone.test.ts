import { CreateUserCommand, UserAlreadyExistsFault } from '@aws-sdk/client-elasticache';
import { silentLogger } from '@rotor/core';
import type { StepContext } from '@rotor/core/engine';
import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { describe, expect, it } from 'vitest';
import { arnOf, FakeElastiCache } from './support/fake-elasticache.ts';

const SOURCE_PASSWORD = 's'.repeat(24);
const CLONE_PASSWORD = 'k'.repeat(24);

function setup() {
  const elasticache = new FakeElastiCache();
  elasticache.addUser({
    UserId: 'app',
    UserName: 'app',
    AccessString: 'on ~a* +get',
    passwords: [SOURCE_PASSWORD],
  });
  elasticache.addUser({ UserId: 'default', UserName: 'default' });
  elasticache.addGroup('g1', ['default', 'app']);
  const engine = elastiCacheEngine({ client: elasticache.client, initialPollDelayMs: 1, retryIntervalMs: 5 });
  const context: StepContext = {
    step: 'setSecret',
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
    clientRequestToken: 't',
    logger: silentLogger,
    signal: new AbortController().signal,
    remainingTimeMs: () => 60_000,
    functionScope: { partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
  };
  const source = { username: 'app', user_arn: arnOf('app'), password: SOURCE_PASSWORD };
  const target = { username: 'app-clone', user_arn: arnOf('app-clone'), password: CLONE_PASSWORD };
  const clone = (overrides: Partial<typeof target> = {}) =>
    engine.cloneUser(
      { source, target: { ...target, ...overrides }, principal: { kind: 'control-plane' } },
      context,
    );
  return { elasticache, engine, context, clone };
}

describe('cloneUser', () => {
  it('does nothing more when repeated in the same container', async () => {
    const { elasticache, clone } = setup();
    await clone();
    await clone();
    expect(elasticache.changes).toEqual([
      'CreateUser app-clone name=app-clone engine=redis access=on ~a* +get',
      'ModifyUserGroup g1 add=app-clone',
    ]);
    expect(elasticache.accepts('app-clone', CLONE_PASSWORD)).toBe(true);
  });

  it('does not add the clone again to a group where its addition is pending', async () => {
    const { elasticache, clone } = setup();
    elasticache.modifyPolls = 1_000;
    const group = elasticache.groups.get('g1')!;
    elasticache.addUser({
      UserId: 'app-clone',
      UserName: 'app-clone',
      AccessString: 'on ~a* +get',
      passwords: [],
    });
    group.pendingAdds.push('app-clone');
    group.Status = 'modifying';
    group.pollsUntilActive = 3;
    await clone();
    expect(elasticache.count('ModifyUserGroup')).toBe(0);
    expect(group.UserIds).toContain('app-clone');
  });

  it('treats CreateUser losing a race (UserAlreadyExists) as an existing user and sets its password', async () => {
    const { elasticache, engine, context, clone } = setup();
    elasticache.mock.on(CreateUserCommand).callsFakeOnce(() => {
      elasticache.addUser({
        UserId: 'app-clone',
        UserName: 'app-clone',
        AccessString: 'on ~a* +get',
        passwords: [],
      });
      throw new UserAlreadyExistsFault({ $metadata: {}, message: 'User already exists' });
    });
    await clone();
    // setSecret starts the change; testSecret waits for it (waitUntilApplied).
    await engine.waitUntilApplied({ user: { username: 'app-clone', user_arn: arnOf('app-clone') } }, context);
    // Into the source's groups first (so that its password can be proven at a cache), then the password.
    expect(elasticache.changes).toEqual([
      'ModifyUserGroup g1 add=app-clone',
      'ModifyUser app-clone passwords=1',
    ]);
    expect(elasticache.accepts('app-clone', CLONE_PASSWORD)).toBe(true);
  });

  it('refuses an existing alternate id that belongs to another user name, changing nothing', async () => {
    const { elasticache, clone } = setup();
    elasticache.addUser({ UserId: 'app-clone', UserName: 'someone-else', passwords: ['x'.repeat(20)] });
    await expect(clone()).rejects.toMatchObject({ code: 'INVALID_SECRET' });
    expect(elasticache.changes).toEqual([]);
    expect(elasticache.users.get('app-clone')!.passwords).toEqual(['x'.repeat(20)]);
  });

  // Found by `pnpm mutation elasticache --sample` (bench/results/mutation-elasticache.md): with the id check
  // removed, an AWSPENDING naming the alternate but pointing at another id created a user under that id.
  it("refuses a pending user whose user_arn is not the alternate's id, creating nothing", async () => {
    const { elasticache, clone } = setup();
    await expect(clone({ user_arn: arnOf('intruder') })).rejects.toMatchObject({ code: 'INVALID_SECRET' });
    expect(elasticache.changes).toEqual([]);
    expect(elasticache.users.has('intruder')).toBe(false);
  });

  it('refuses an alternate user on another engine', async () => {
    const { elasticache, clone } = setup();
    elasticache.addUser({ UserId: 'app-clone', UserName: 'app-clone', Engine: 'valkey', passwords: [] });
    await expect(clone()).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(elasticache.changes).toEqual([]);
  });

  it('refuses a control-plane change requested as another principal', async () => {
    const { elasticache, engine, context } = setup();
    await expect(
      engine.setPasswords(
        {
          user: { username: 'app', user_arn: arnOf('app') },
          passwords: [CLONE_PASSWORD],
          principal: { kind: 'self', secret: { username: 'app', user_arn: arnOf('app') } },
        },
        context,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(elasticache.changes).toEqual([]);
  });
});
