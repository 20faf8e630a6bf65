import { z } from 'zod';
import {
  type ChangeResult,
  defineEngine,
  definePasswordPolicy,
  ENGINE_CONTRACT_VERSION,
  type LoginResult,
  type PasswordPolicy,
  PermissionDeniedError,
  pollUntil,
  type RotationEngine,
  UserNotFoundError,
} from '../../../src/engine/index.ts';

export const fakeSecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().optional(),
  masterarn: z.string().optional(),
  host: z.string().default('fake.local'),
});
export type FakeSecret = z.infer<typeof fakeSecretSchema>;

export interface FakeUser {
  passwords: string[];
  admin: boolean;
  grants: string[];
}

export const fakePolicy: PasswordPolicy = definePasswordPolicy({
  length: 24,
  maxLength: 64,
  excludeCharacters: '"\'\\/@ ',
});

/** The capability flags of the fake engine (all four are free to choose). */
export interface FakeCapabilities {
  passwordsPerUser: 1 | 2;
  canCloneUsers: boolean;
  asyncChanges: boolean;
  changeAuthority: 'credentials' | 'control-plane';
}

/** An in-memory database server: users with passwords, an admin flag and grants. */
export class FakeTarget {
  readonly users = new Map<string, FakeUser>();
  readonly calls: string[] = [];
  /** Simulates asynchronous application: passwords set are only visible after this many polls. */
  pendingPolls = 0;
  private stagedPasswords = new Map<string, string[]>();

  addUser(username: string, passwords: string[], options: Partial<Omit<FakeUser, 'passwords'>> = {}): void {
    this.users.set(username, { passwords, admin: options.admin ?? false, grants: options.grants ?? [] });
  }

  accepts(username: string, password: string | undefined): boolean {
    return password !== undefined && (this.users.get(username)?.passwords.includes(password) ?? false);
  }

  apply(username: string, passwords: string[]): void {
    const user = this.users.get(username);
    if (!user) throw new UserNotFoundError(`User "${username}" does not exist`);
    if (this.pendingPolls > 0) this.stagedPasswords.set(username, passwords);
    else user.passwords = [...passwords];
  }

  poll(username: string): boolean {
    const staged = this.stagedPasswords.get(username);
    if (!staged) return true;
    this.pendingPolls -= 1;
    if (this.pendingPolls > 0) return false;
    this.users.get(username)!.passwords = staged;
    this.stagedPasswords.delete(username);
    return true;
  }
}

export interface FakeEngineOptions {
  capabilities?: Partial<FakeCapabilities>;
  /** Throws this error from setPasswords (to test wrapping and scrubbing). */
  failSetPasswordsWith?: (password: string) => unknown;
  /** Replaces the login answer: a target the engine cannot reach, or that admits the user nowhere. */
  loginOutcome?: LoginResult;
}

export function createFakeEngine(
  target: FakeTarget,
  options: FakeEngineOptions = {},
): RotationEngine<FakeSecret> {
  const capabilities: FakeCapabilities = {
    passwordsPerUser: 2,
    canCloneUsers: true,
    asyncChanges: false,
    changeAuthority: 'credentials',
    ...options.capabilities,
  };
  const authorize = (principal: Parameters<CloneUser>[0]['principal'], username: string) => {
    if (principal.kind === 'control-plane') return;
    if (principal.kind === 'self') {
      if (principal.secret.username !== username || !target.accepts(username, principal.secret.password)) {
        throw new PermissionDeniedError(`"${principal.secret.username}" may not change "${username}"`);
      }
      return;
    }
    const adminName = String(principal.admin.value.username);
    const admin = target.users.get(adminName);
    if (!admin?.admin || !target.accepts(adminName, principal.admin.value.password as string)) {
      throw new PermissionDeniedError(`admin "${adminName}" may not change "${username}"`);
    }
  };
  const changed: ChangeResult = { status: 'changed' };
  const cloning = capabilities.canCloneUsers
    ? {
        canCloneUsers: true as const,
        async cloneUser({
          source,
          target: clone,
          principal,
        }: Parameters<CloneUser>[0]): Promise<ChangeResult> {
          target.calls.push(`cloneUser ${source.username} -> ${clone.username} as ${principal.kind}`);
          authorize(principal, clone.username);
          const existing = target.users.get(clone.username);
          if (clone.password === undefined) throw new Error('the pending secret has no password');
          if (existing) {
            // Idempotent, and complete: the password, and the source's grants again.
            target.apply(clone.username, [clone.password]);
            existing.grants = [...(target.users.get(source.username)?.grants ?? [])];
            return changed;
          }
          target.addUser(clone.username, [clone.password], {
            grants: [...(target.users.get(source.username)?.grants ?? [])],
          });
          return { status: 'created' };
        },
      }
    : { canCloneUsers: false as const };
  const timing = capabilities.asyncChanges
    ? {
        asyncChanges: true as const,
        async waitUntilApplied({ user }: { user: FakeSecret }, context: Parameters<CloneUser>[1]) {
          target.calls.push(`wait ${user.username}`);
          await pollUntil(async () => (target.poll(user.username) ? true : undefined), context, {
            description: `user "${user.username}" to become active`,
            initialDelayMs: 5,
            maxDelayMs: 20,
          });
          return { status: 'applied' as const };
        },
      }
    : { asyncChanges: false as const };
  return defineEngine<FakeSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'fake',
    secretSchema: fakeSecretSchema,
    passwordPolicy: fakePolicy,
    passwordsPerUser: capabilities.passwordsPerUser,
    changeAuthority: capabilities.changeAuthority,
    async preflight({ user }) {
      target.calls.push(`preflight ${user.username}`);
      if (!target.users.has(user.username))
        throw new UserNotFoundError(`User "${user.username}" does not exist`);
      return { status: 'ready' };
    },
    async login({ user }) {
      target.calls.push(`login ${user.username}`);
      if (options.loginOutcome) return options.loginOutcome;
      return target.accepts(user.username, user.password)
        ? { status: 'accepted' }
        : { status: 'rejected', reason: 'password authentication failed' };
    },
    async setPasswords({ user, passwords, principal }) {
      target.calls.push(`setPasswords ${user.username} x${passwords.length} as ${principal.kind}`);
      if (options.failSetPasswordsWith) throw options.failSetPasswordsWith(passwords[0]!);
      authorize(principal, user.username);
      target.apply(user.username, [...passwords]);
      return changed;
    },
    ...cloning,
    ...timing,
  });
}

type CloneUser = Extract<RotationEngine<FakeSecret>, { canCloneUsers: true }>['cloneUser'];
