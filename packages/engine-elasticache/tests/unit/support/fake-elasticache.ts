import {
  CreateUserCommand,
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  InvalidParameterValueException,
  InvalidUserGroupStateFault,
  InvalidUserStateFault,
  ModifyUserCommand,
  ModifyUserGroupCommand,
  ReplicationGroupNotFoundFault,
  ServerlessCacheNotFoundFault,
  UserAlreadyExistsFault,
  UserGroupNotFoundFault,
  UserNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const arnOf = (userId: string) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:${userId}`;

export interface FakeUser {
  UserId: string;
  UserName: string;
  Status: string;
  Engine: string;
  AccessString: string;
  UserGroupIds: string[];
  authType: 'password' | 'no-password' | 'iam';
  /** The passwords the service holds (only the fake can see them). */
  passwords: string[];
  /** DescribeUsers calls left before a `modifying` user becomes `active`. */
  pollsUntilActive: number;
  staged?: Partial<Pick<FakeUser, 'passwords' | 'AccessString' | 'authType'>>;
}

export interface FakeGroup {
  UserGroupId: string;
  Status: string;
  UserIds: string[];
  pendingAdds: string[];
  pollsUntilActive: number;
}

/** A replication group or serverless cache: where it listens, and the one user group it holds. */
export interface FakeCache {
  id: string;
  kind: 'replication-group' | 'serverless';
  host: string;
  port: number;
  tls: boolean;
  userGroupId?: string;
}

/**
 * ElastiCache users and user groups behind aws-sdk-client-mock, with the service's state rules: changes
 * put a user in `modifying` for a number of DescribeUsers polls, ModifyUser on a non-active user fails
 * with InvalidUserState, passwords follow the RBAC rules.
 */
export class FakeElastiCache {
  readonly client = new ElastiCacheClient({
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  readonly mock = mockClient(this.client);
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, FakeGroup>();
  readonly caches = new Map<string, FakeCache>();
  /** How many DescribeUsers polls a change takes to apply. */
  modifyPolls = 2;
  /** Every mutating call, as text without passwords. */
  readonly changes: string[] = [];

  constructor() {
    this.mock.on(DescribeUsersCommand).callsFake((input) => {
      const user = this.requireUser(input.UserId);
      if (user.Status === 'modifying') {
        user.pollsUntilActive -= 1;
        if (user.pollsUntilActive <= 0) this.apply(user);
      }
      return { Users: [this.view(user)] };
    });
    this.mock.on(ModifyUserCommand).callsFake((input) => {
      const user = this.requireUser(input.UserId);
      if (user.Status !== 'active') {
        throw new InvalidUserStateFault({
          $metadata: {},
          message: `User ${user.UserId} has status ${user.Status}. Only active users can be modified.`,
        });
      }
      const staged: FakeUser['staged'] = {};
      if (input.Passwords) {
        this.checkPasswords(input.Passwords);
        if (input.NoPasswordRequired === true) throw this.invalid('Passwords with NoPasswordRequired');
        staged.passwords = [...input.Passwords];
        staged.authType = 'password';
      }
      if (input.AccessString !== undefined) staged.AccessString = input.AccessString;
      user.staged = staged;
      user.Status = 'modifying';
      user.pollsUntilActive = this.modifyPolls;
      this.changes.push(
        `ModifyUser ${user.UserId} passwords=${input.Passwords?.length ?? 0}` +
          (input.NoPasswordRequired === false ? ' NoPasswordRequired=false' : '') +
          (input.AccessString !== undefined ? ` AccessString=${input.AccessString}` : ''),
      );
      return this.view(user);
    });
    this.mock.on(CreateUserCommand).callsFake((input) => {
      if (this.users.has(input.UserId!)) {
        throw new UserAlreadyExistsFault({ $metadata: {}, message: 'User already exists' });
      }
      this.checkPasswords(input.Passwords ?? []);
      const user: FakeUser = {
        UserId: input.UserId!,
        UserName: input.UserName!,
        Status: 'active',
        Engine: input.Engine!,
        AccessString: input.AccessString!,
        UserGroupIds: [],
        authType: 'password',
        passwords: [...(input.Passwords ?? [])],
        pollsUntilActive: 0,
      };
      this.users.set(user.UserId, user);
      this.changes.push(
        `CreateUser ${user.UserId} name=${user.UserName} engine=${user.Engine} access=${user.AccessString}`,
      );
      return this.view(user);
    });
    this.mock.on(DescribeUserGroupsCommand).callsFake((input) => {
      const group = this.groups.get(input.UserGroupId!);
      if (!group) throw new UserGroupNotFoundFault({ $metadata: {}, message: 'not found' });
      if (group.Status === 'modifying') {
        group.pollsUntilActive -= 1;
        if (group.pollsUntilActive <= 0) {
          group.Status = 'active';
          for (const id of group.pendingAdds) {
            group.UserIds.push(id);
            this.users.get(id)?.UserGroupIds.push(group.UserGroupId);
          }
          group.pendingAdds = [];
        }
      }
      const holders = (kind: FakeCache['kind']) =>
        [...this.caches.values()]
          .filter((cache) => cache.kind === kind && cache.userGroupId === group.UserGroupId)
          .map((cache) => cache.id);
      return {
        UserGroups: [
          {
            UserGroupId: group.UserGroupId,
            Status: group.Status,
            UserIds: [...group.UserIds],
            ...(group.pendingAdds.length ? { PendingChanges: { UserIdsToAdd: [...group.pendingAdds] } } : {}),
            ReplicationGroups: holders('replication-group'),
            ServerlessCaches: holders('serverless'),
          },
        ],
      };
    });
    this.mock.on(DescribeReplicationGroupsCommand).callsFake((input) => {
      const cache = this.caches.get(input.ReplicationGroupId ?? '');
      if (cache?.kind !== 'replication-group') {
        throw new ReplicationGroupNotFoundFault({ $metadata: {}, message: 'not found' });
      }
      return {
        ReplicationGroups: [
          {
            ReplicationGroupId: cache.id,
            ClusterEnabled: false,
            TransitEncryptionEnabled: cache.tls,
            NodeGroups: [{ NodeGroupId: '0001', PrimaryEndpoint: { Address: cache.host, Port: cache.port } }],
            UserGroupIds: cache.userGroupId ? [cache.userGroupId] : [],
          },
        ],
      };
    });
    this.mock.on(DescribeServerlessCachesCommand).callsFake((input) => {
      const cache = this.caches.get(input.ServerlessCacheName ?? '');
      if (cache?.kind !== 'serverless') {
        throw new ServerlessCacheNotFoundFault({ $metadata: {}, message: 'not found' });
      }
      return {
        ServerlessCaches: [
          {
            ServerlessCacheName: cache.id,
            Endpoint: { Address: cache.host, Port: cache.port },
            ...(cache.userGroupId ? { UserGroupId: cache.userGroupId } : {}),
          },
        ],
      };
    });
    this.mock.on(ModifyUserGroupCommand).callsFake((input) => {
      const group = this.groups.get(input.UserGroupId!);
      if (!group) throw new UserGroupNotFoundFault({ $metadata: {}, message: 'not found' });
      if (group.Status !== 'active') {
        throw new InvalidUserGroupStateFault({ $metadata: {}, message: 'group is not active' });
      }
      for (const id of input.UserIdsToAdd ?? []) this.requireUser(id);
      group.pendingAdds.push(...(input.UserIdsToAdd ?? []));
      group.Status = 'modifying';
      group.pollsUntilActive = this.modifyPolls;
      this.changes.push(`ModifyUserGroup ${group.UserGroupId} add=${(input.UserIdsToAdd ?? []).join(',')}`);
      return {};
    });
  }

  /** The seed page's user: created `off`, with no password. */
  addSeedUser(userId = 'user1', options: Partial<FakeUser> = {}): FakeUser {
    return this.addUser({
      UserId: userId,
      UserName: userId,
      AccessString: 'off ~keys* -@all +get',
      authType: 'no-password',
      passwords: [],
      ...options,
    });
  }

  addUser(user: Partial<FakeUser> & Pick<FakeUser, 'UserId' | 'UserName'>): FakeUser {
    const full: FakeUser = {
      Status: 'active',
      Engine: 'redis',
      AccessString: 'on ~* +@all',
      UserGroupIds: [],
      authType: 'password',
      passwords: [],
      pollsUntilActive: 0,
      ...user,
    };
    this.users.set(full.UserId, full);
    return full;
  }

  addGroup(groupId: string, userIds: string[]): FakeGroup {
    const group: FakeGroup = {
      UserGroupId: groupId,
      Status: 'active',
      UserIds: [...userIds],
      pendingAdds: [],
      pollsUntilActive: 0,
    };
    this.groups.set(groupId, group);
    for (const id of userIds) this.users.get(id)?.UserGroupIds.push(groupId);
    return group;
  }

  /** A cache holding `userGroupId` (users of that group log in there). */
  addCache(cache: FakeCache): FakeCache {
    this.caches.set(cache.id, cache);
    return cache;
  }

  /** A user group of `userIds` held by a TLS replication group `<cacheId>.cache:6379`: the usual place to log in. */
  addGroupOnCache(groupId: string, userIds: string[], cacheId = 'orders'): FakeCache {
    this.addGroup(groupId, userIds);
    return this.addCache({
      id: cacheId,
      kind: 'replication-group',
      host: `${cacheId}.cache`,
      port: 6379,
      tls: true,
      userGroupId: groupId,
    });
  }

  accepts(userId: string, password: string): boolean {
    const user = this.users.get(userId);
    return !!user && user.passwords.includes(password);
  }

  count(prefix: string): number {
    return this.changes.filter((change) => change.startsWith(prefix)).length;
  }

  private apply(user: FakeUser) {
    Object.assign(user, user.staged ?? {});
    delete user.staged;
    user.Status = 'active';
  }

  private view(user: FakeUser) {
    return {
      UserId: user.UserId,
      UserName: user.UserName,
      Status: user.Status,
      Engine: user.Engine,
      AccessString: user.AccessString,
      UserGroupIds: [...user.UserGroupIds],
      Authentication: { Type: user.authType, PasswordCount: user.passwords.length },
      ARN: arnOf(user.UserId),
    } as const;
  }

  private requireUser(userId: string | undefined): FakeUser {
    const user = userId ? this.users.get(userId) : undefined;
    if (!user) throw new UserNotFoundFault({ $metadata: {}, message: `User ${userId} not found` });
    return user;
  }

  private checkPasswords(passwords: string[]) {
    if (passwords.length > 2) throw this.invalid('You are allowed up to two passwords');
    for (const password of passwords) {
      if (password.length < 16 || password.length > 128 || /[,"/@\s]/.test(password)) {
        throw this.invalid(`Invalid password ${password}`); // echoes the password, as a hostile service might
      }
    }
  }

  private invalid(message: string) {
    return new InvalidParameterValueException({ $metadata: {}, message });
  }
}
