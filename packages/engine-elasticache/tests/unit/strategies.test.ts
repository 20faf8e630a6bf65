import { describe, expect, it } from 'vitest';
import { arnOf } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

describe('dual-password (default)', () => {
  it('runs the seed workflow: an off user with no password gets [pending], then [pending, current]', async () => {
    const world = createWorld();
    world.elasticache.addSeedUser();

    await world.rotate();
    const first = world.store.valueAt('AWSCURRENT')!;
    expect(world.elasticache.changes).toEqual(['ModifyUser user1 passwords=1 NoPasswordRequired=false']);
    expect(world.elasticache.accepts('user1', first.password as string)).toBe(true);
    // Not switched on: enabling access is the operator's call unless enableDisabledUser is set.
    expect(world.elasticache.users.get('user1')!.AccessString).toBe('off ~keys* -@all +get');
    expect(world.lines.some((line) => line.includes('disabled: user "user1" is switched off'))).toBe(true);

    await world.rotate();
    const second = world.store.valueAt('AWSCURRENT')!;
    expect(world.elasticache.changes[1]).toBe('ModifyUser user1 passwords=2');
    expect(world.elasticache.users.get('user1')!.passwords).toEqual([second.password, first.password]);

    await world.rotate();
    const third = world.store.valueAt('AWSCURRENT')!;
    const user = world.elasticache.users.get('user1')!;
    expect(user.passwords).toEqual([third.password, second.password]);
    expect(world.elasticache.accepts('user1', first.password as string)).toBe(false);
    expect(world.elasticache.count('ModifyUser')).toBe(3);
    // Unknown keys and the ARN survive every rotation.
    expect(third.user_arn).toBe(arnOf('user1'));
  });

  it('switches a disabled user on with its first passwords when enableDisabledUser is set', async () => {
    const world = createWorld({ engine: { enableDisabledUser: true } });
    world.elasticache.addSeedUser();
    await world.rotate();
    expect(world.elasticache.changes).toEqual([
      'ModifyUser user1 passwords=1 NoPasswordRequired=false AccessString=on ~keys* -@all +get',
    ]);
    expect(world.elasticache.users.get('user1')!.AccessString).toBe('on ~keys* -@all +get');
    await world.rotate();
    // Already on: the access string is not sent again.
    expect(world.elasticache.changes[1]).toBe('ModifyUser user1 passwords=2');
  });

  it('keeps extra secret keys and the data-plane fields', async () => {
    const world = createWorld({
      secret: {
        username: 'user1',
        user_arn: arnOf('user1'),
        password: 'p'.repeat(20),
        team: 'blue',
        port: '6379',
      },
    });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: ['p'.repeat(20)] });
    await world.rotate();
    const current = world.store.valueAt('AWSCURRENT')!;
    expect(current.team).toBe('blue');
    expect(current.port).toBe('6379');
  });
});

describe('single-user', () => {
  it('sets only the pending password', async () => {
    const world = createWorld({ strategy: 'single-user' });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: ['x'.repeat(20)] });
    world.store.secrets.setRawValue(
      world.store.arn,
      'AWSCURRENT',
      JSON.stringify({ username: 'user1', user_arn: arnOf('user1'), password: 'x'.repeat(20) }),
    );
    await world.rotate();
    await world.rotate();
    const current = world.store.valueAt('AWSCURRENT')!;
    expect(world.elasticache.changes).toEqual([
      'ModifyUser user1 passwords=1',
      'ModifyUser user1 passwords=1',
    ]);
    expect(world.elasticache.users.get('user1')!.passwords).toEqual([current.password]);
  });
});

describe('alternating-users', () => {
  function alternatingWorld() {
    const world = createWorld({
      strategy: 'alternating-users',
      secret: { username: 'app', user_arn: arnOf('app'), password: 'a'.repeat(24) },
    });
    world.elasticache.addUser({
      UserId: 'app',
      UserName: 'app',
      Engine: 'valkey',
      AccessString: 'on ~app:* -@all +@read',
      passwords: ['a'.repeat(24)],
    });
    world.elasticache.addUser({ UserId: 'default', UserName: 'default' });
    world.elasticache.addGroup('group-a', ['default', 'app']);
    world.elasticache.addGroup('group-b', ['default', 'app']);
    world.elasticache.addGroup('group-other', ['default']);
    return world;
  }

  it('clones the user (engine, access string, every group) and then alternates', async () => {
    const world = alternatingWorld();
    await world.rotate();
    const first = world.store.valueAt('AWSCURRENT')!;
    expect(first.username).toBe('app-clone');
    expect(first.user_arn).toBe(arnOf('app-clone'));
    expect(world.elasticache.changes).toEqual([
      'CreateUser app-clone name=app-clone engine=valkey access=on ~app:* -@all +@read',
      'ModifyUserGroup group-a add=app-clone',
      'ModifyUserGroup group-b add=app-clone',
    ]);
    const clone = world.elasticache.users.get('app-clone')!;
    expect(clone.UserGroupIds.sort()).toEqual(['group-a', 'group-b']);
    expect(world.elasticache.groups.get('group-other')!.UserIds).not.toContain('app-clone');
    expect(world.elasticache.accepts('app-clone', first.password as string)).toBe(true);

    await world.rotate();
    const second = world.store.valueAt('AWSCURRENT')!;
    expect(second.username).toBe('app');
    expect(world.elasticache.changes.slice(3)).toEqual(['ModifyUser app passwords=1']);
    // The previous user keeps its password until the next rotation.
    expect(world.elasticache.accepts('app-clone', first.password as string)).toBe(true);
    expect(world.elasticache.accepts('app', second.password as string)).toBe(true);

    await world.rotate();
    const third = world.store.valueAt('AWSCURRENT')!;
    expect(third.username).toBe('app-clone');
    expect(world.elasticache.changes.slice(4)).toEqual(['ModifyUser app-clone passwords=1']);
    expect(world.elasticache.accepts('app-clone', first.password as string)).toBe(false);
    expect(world.elasticache.accepts('app', second.password as string)).toBe(true);
  });

  it('re-synchronises the clone access string when the source changed', async () => {
    const world = alternatingWorld();
    await world.rotate();
    await world.rotate();
    world.elasticache.users.get('app')!.AccessString = 'on ~app:* -@all +@read +@write';
    // Rotation 3 changes the clone from the (now current) source "app".
    await world.rotate();
    expect(world.elasticache.changes.at(-1)).toBe(
      'ModifyUser app-clone passwords=1 AccessString=on ~app:* -@all +@read +@write',
    );
  });

  it('selects alternating-users from masterarn under strategy auto (no admin secret is read)', async () => {
    const world = createWorld({
      secret: { username: 'app', user_arn: arnOf('app'), password: 'a'.repeat(24), masterarn: 'iam-role' },
    });
    world.elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: ['a'.repeat(24)] });
    await world.rotate();
    expect(world.store.valueAt('AWSCURRENT')!.username).toBe('app-clone');
    expect(world.elasticache.count('CreateUser app-clone')).toBe(1);
  });
});
