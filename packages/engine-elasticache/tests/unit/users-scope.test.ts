import { randomUUID } from 'node:crypto';
import { RotationError } from '@rotor/core';
import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { arnOf } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

const CURRENT = 'c'.repeat(24);
const PENDING = 'p'.repeat(24);
const principal = { kind: 'control-plane' } as const;

/** A function restricted to user "app" (USER_NAME), with "app" and its alternate "app-clone" both existing. */
function restrictedWorld(acceptAlternateUserName: boolean) {
  const world = createWorld({
    strategy: 'alternating-users',
    engine: { userName: 'app', acceptAlternateUserName },
    secret: { username: 'app', user_arn: arnOf('app'), password: CURRENT },
  });
  world.elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [CURRENT] });
  world.elasticache.addUser({ UserId: 'app-clone', UserName: 'app-clone', passwords: [CURRENT] });
  world.elasticache.addUser({ UserId: 'other', UserName: 'other', passwords: [CURRENT] });
  return world;
}

const secretOf = (name: string, password = PENDING) => ({ username: name, user_arn: arnOf(name), password });

/** Every operation that acts on the user a secret names (the alternate as a clone target too). */
function operationsOn(world: ReturnType<typeof restrictedWorld>, name: string) {
  const context = stepContext({ step: 'setSecret' });
  const secret = secretOf(name);
  return {
    context,
    operations: {
      preflight: () => world.engine.preflight!({ user: secret }, context),
      setPasswords: () =>
        world.engine.setPasswords({ user: secret, passwords: [PENDING], principal }, context),
      cloneUser: () =>
        world.engine.cloneUser({ source: secretOf('app', CURRENT), target: secret, principal }, context),
    },
  };
}

describe('USER_NAME restricts the function to one user', () => {
  it.each(['preflight', 'setPasswords', 'cloneUser'] as const)(
    'without acceptAlternateUserName, %s refuses the alternate (app-clone) before any ElastiCache call',
    async (operation) => {
      const world = restrictedWorld(false);
      const { operations } = operationsOn(world, 'app-clone');
      const failure = await operations[operation]().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(RotationError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'INVALID_CONFIGURATION', retryable: false, step: 'setSecret' });
      const message = (failure as Error).message;
      expect(message).toContain('USER_NAME');
      expect(message).toContain('only user "app" (USER_NAME)');
      expect(message).toContain('the secret names "app-clone"');
      expect(world.elasticache.mock.calls()).toHaveLength(0);
      expect(world.elasticache.users.get('app-clone')!.passwords).toEqual([CURRENT]);
    },
  );

  it('without acceptAlternateUserName, an alternating-users rotation stops before creating or changing the clone', async () => {
    const world = restrictedWorld(false);
    world.elasticache.users.delete('app-clone');
    const before = JSON.stringify(world.store.valueAt('AWSCURRENT'));
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    await expect(world.invoke('setSecret', token)).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(world.elasticache.changes).toEqual([]);
    expect(world.elasticache.users.has('app-clone')).toBe(false);
    expect(JSON.stringify(world.store.valueAt('AWSCURRENT'))).toBe(before);
  });

  it('with acceptAlternateUserName, the alternate is rotated (positive control), and any third user is still refused', async () => {
    const world = restrictedWorld(true);
    const alternate = operationsOn(world, 'app-clone');
    await expect(alternate.operations.preflight()).resolves.toEqual({ status: 'ready' });
    await expect(alternate.operations.setPasswords()).resolves.toEqual({ status: 'changed' });
    expect(world.elasticache.changes).toEqual(['ModifyUser app-clone passwords=1']);

    const calls = world.elasticache.mock.calls().length;
    const third = operationsOn(world, 'other');
    for (const operation of Object.values(third.operations)) {
      const failure = await operation().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'INVALID_CONFIGURATION', retryable: false });
      expect((failure as Error).message).toContain('only user "app" or "app-clone" (USER_NAME)');
    }
    expect(world.elasticache.mock.calls()).toHaveLength(calls);
    expect(world.elasticache.users.get('other')!.passwords).toEqual([CURRENT]);
  });

  it('a USER_NAME that is itself the alternate accepts its base name only with acceptAlternateUserName', async () => {
    for (const accept of [false, true]) {
      const world = createWorld({ engine: { userName: 'app-clone', acceptAlternateUserName: accept } });
      world.elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [CURRENT] });
      const context = stepContext({ step: 'setSecret' });
      const result = world.engine.preflight!({ user: secretOf('app', CURRENT) }, context);
      if (accept) await expect(result).resolves.toEqual({ status: 'ready' });
      else await expect(result).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    }
  });
});
