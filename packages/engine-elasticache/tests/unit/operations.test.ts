import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { elastiCacheEngine } from '../../src/elasticache-engine.ts';
import { arnOf } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

const CURRENT = 'c'.repeat(24);
const principal = { kind: 'control-plane' } as const;
const secret = { username: 'user1', user_arn: arnOf('user1'), password: CURRENT };

describe('login: what the control plane already says, before any AUTH', () => {
  it.each([
    [
      'a user id that does not exist',
      () => {},
      { status: 'rejected', reason: 'user id "user1" does not exist' },
    ],
    [
      'a user id named otherwise than the secret',
      (w: ReturnType<typeof createWorld>) =>
        w.elasticache.addUser({ UserId: 'user1', UserName: 'admin', passwords: [CURRENT] }),
      { status: 'rejected', reason: 'user id "user1" is not named "user1"' },
    ],
    [
      'a user that needs no password (any password would log in)',
      (w: ReturnType<typeof createWorld>) =>
        w.elasticache.addSeedUser('user1', { AccessString: 'on ~* +@all' }),
      { status: 'rejected', reason: 'the user requires no password yet' },
    ],
  ])('%s is rejected', async (_label, arrange, expected) => {
    const world = createWorld();
    arrange(world);
    expect(await world.engine.login({ user: secret }, stepContext({ step: 'testSecret' }))).toEqual(expected);
  });

  it('a user switched off is disabled: it can log in nowhere', async () => {
    const world = createWorld();
    world.elasticache.addUser({
      UserId: 'user1',
      UserName: 'user1',
      AccessString: 'off ~* +@all',
      passwords: [CURRENT],
    });
    const outcome = await world.engine.login({ user: secret }, stepContext({ step: 'testSecret' }));
    expect(outcome).toMatchObject({ status: 'disabled' });
    expect(outcome.status === 'disabled' && outcome.reason).toContain('switched off');
  });
});

describe('setPasswords refuses passwords ElastiCache would refuse, saying which one, before any call', () => {
  it.each([
    [['short'], 'The pending password is 5 characters long'],
    [
      [CURRENT, 'has,comma-0123456789'],
      'The current password contains one of , " / @ which ElastiCache refuses',
    ],
  ])('%j', async (passwords, message) => {
    const world = createWorld();
    const failure = world.engine.setPasswords({ user: secret, passwords, principal }, stepContext());
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_SECRET', retryable: false });
    await expect(failure).rejects.toThrow(message);
    expect(world.elasticache.mock.calls()).toHaveLength(0);
  });

  it('three passwords are a configuration error', async () => {
    const world = createWorld();
    const failure = world.engine.setPasswords(
      { user: secret, passwords: [CURRENT, CURRENT, CURRENT], principal },
      stepContext(),
    );
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    await expect(failure).rejects.toThrow('one or two passwords; asked to set 3');
    expect(world.elasticache.mock.calls()).toHaveLength(0);
  });
});

describe('options', () => {
  it('tls: false without a configured host is refused, saying why', () => {
    expect(() => elastiCacheEngine({ dataPlane: { tls: false } })).toThrow(
      /tls: false applies only to a configured host/,
    );
    expect(() => elastiCacheEngine({ dataPlane: { tls: false, host: 'cache.internal' } })).not.toThrow();
  });
});
