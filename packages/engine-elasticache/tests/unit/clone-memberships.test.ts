import {
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { arnOf } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

const CURRENT = 'c'.repeat(24);
const PENDING = 'p'.repeat(24);
const principal = { kind: 'control-plane' } as const;
const source = { username: 'app', user_arn: arnOf('app'), password: CURRENT };
const target = { username: 'app-clone', user_arn: arnOf('app-clone'), password: PENDING };

function world() {
  const w = createWorld({ strategy: 'alternating-users', secret: source });
  w.elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [CURRENT] });
  return w;
}

const groupLookups = (w: ReturnType<typeof world>) =>
  w.elasticache.mock.commandCalls(DescribeUserGroupsCommand).map((call) => call.args[0].input.UserGroupId);

describe("the clone's user groups", () => {
  it('a source in no user group (the list absent) gives a clone in none, without a group lookup', async () => {
    const w = world();
    // The service may omit an empty list.
    w.elasticache.mock.on(DescribeUsersCommand, { UserId: 'app' }).resolves({
      Users: [
        {
          UserId: 'app',
          UserName: 'app',
          Status: 'active',
          Engine: 'redis',
          AccessString: 'on ~* +@all',
          Authentication: { Type: 'password', PasswordCount: 1 },
        },
      ],
    });
    await expect(
      w.engine.cloneUser({ source, target, principal }, stepContext({ step: 'setSecret' })),
    ).resolves.toEqual({ status: 'created' });
    expect(w.elasticache.changes).toEqual([
      'CreateUser app-clone name=app-clone engine=redis access=on ~* +@all',
    ]);
    expect(w.elasticache.users.get('app-clone')!.UserGroupIds).toEqual([]);
    expect(groupLookups(w)).toEqual([]);
    expect(w.elasticache.mock.commandCalls(ModifyUserGroupCommand)).toHaveLength(0);
    expect(w.elasticache.accepts('app-clone', PENDING)).toBe(true);
  });

  it('groups already active and holding the clone are looked at once each and not waited for again', async () => {
    const w = world();
    w.elasticache.addUser({ UserId: 'app-clone', UserName: 'app-clone', passwords: [PENDING] });
    w.elasticache.addGroup('group-a', ['app', 'app-clone']);
    w.elasticache.addGroup('group-b', ['app', 'app-clone']);
    await expect(
      w.engine.cloneUser({ source, target, principal }, stepContext({ step: 'setSecret' })),
    ).resolves.toBeDefined();
    // Once each for the memberships, once each to find the caches the password could be proven at.
    expect(groupLookups(w)).toEqual(['group-a', 'group-b', 'group-a', 'group-b']);
    // No cache holds these groups, so the password cannot be proven by a login and is set again (idempotent).
    expect(w.elasticache.changes).toEqual(['ModifyUser app-clone passwords=1']);
  });

  it('a group the clone was just added to is waited for until active, then the clone is in it', async () => {
    const w = world();
    w.elasticache.addUser({ UserId: 'app-clone', UserName: 'app-clone', passwords: [PENDING] });
    w.elasticache.addGroup('group-a', ['app', 'app-clone']);
    w.elasticache.addGroup('group-b', ['app']);
    await w.engine.cloneUser({ source, target, principal }, stepContext({ step: 'setSecret' }));
    expect(w.elasticache.changes).toEqual([
      'ModifyUserGroup group-b add=app-clone',
      'ModifyUser app-clone passwords=1',
    ]);
    expect(w.elasticache.groups.get('group-b')).toMatchObject({ Status: 'active' });
    expect(w.elasticache.groups.get('group-b')!.UserIds).toContain('app-clone');
  });
});
