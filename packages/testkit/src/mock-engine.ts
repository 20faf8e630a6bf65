/**
 * `@rotor/testkit/mock-engine`: the recording mock engine core's own tests use, for engine-agnostic tests of
 * the protocol and strategies (handlers, Lambda wiring) outside core as well.
 */

import {
  type ChangeResult,
  type CloneUserRequest,
  defineEngine,
  definePasswordPolicy,
  ENGINE_CONTRACT_VERSION,
  type LoginResult,
  type PasswordPolicy,
  PermissionDeniedError,
  type Principal,
  pollUntil,
  type RotationEngine,
  type StepContext,
  UserNotFoundError,
  type UserRequest,
} from '@rotor/core/engine';
import { z } from 'zod';

export const mockSecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().optional(),
  masterarn: z.string().optional(),
  host: z.string().default('mock.local'),
});
export type MockSecret = z.infer<typeof mockSecretSchema>;

export interface MockUser {
  passwords: string[];
  admin: boolean;
  grants: string[];
}

export const mockPasswordPolicy: PasswordPolicy = definePasswordPolicy({
  length: 24,
  maxLength: 64,
  excludeCharacters: '"\'\\/@ ',
});

/** The capability flags of the mock engine: all four are free to choose per test. */
export interface MockCapabilities {
  passwordsPerUser: 1 | 2;
  canCloneUsers: boolean;
  asyncChanges: boolean;
  changeAuthority: 'credentials' | 'control-plane';
}

/**
 * An in-memory database server: users with passwords, an admin flag and grants, and optionally changes that
 * apply only after some polls (an asynchronous control plane).
 */
export class MockTarget {
  readonly users = new Map<string, MockUser>();
  /**
   * Every engine call, in order, as text: `preflight app`, `login app`, `setPasswords app x2 as self`,
   * `cloneUser app -> app_clone as admin`, `wait app`. Never a password.
   */
  readonly calls: string[] = [];
  /** Simulates asynchronous application: passwords set are only visible after this many polls. */
  pendingPolls = 0;
  private stagedPasswords = new Map<string, string[]>();

  addUser(username: string, passwords: string[], options: Partial<Omit<MockUser, 'passwords'>> = {}): void {
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

export interface MockEngineOptions {
  capabilities?: Partial<MockCapabilities>;
  /** Throws this error from setPasswords (to test wrapping and scrubbing). */
  failSetPasswordsWith?: (password: string) => unknown;
  /** Replaces the login answer: a target the engine cannot reach, or that admits the user nowhere. */
  loginOutcome?: LoginResult;
}

/**
 * A recording mock engine over a `MockTarget`: a real engine as far as core can tell (it enforces who may
 * change whom, refuses wrong passwords, clones idempotently), with every call recorded on `target.calls`.
 * Capabilities are chosen per test, so one mock plays every strategy.
 *
 * @example
 * ```ts snippet-skip
 * const target = new MockTarget();
 * target.addUser('app', ['Old-Password-1']);
 * const engine = createMockEngine(target, { capabilities: { passwordsPerUser: 1 } });
 * ```
 */
export function createMockEngine(
  target: MockTarget,
  options: MockEngineOptions = {},
): RotationEngine<MockSecret> {
  const capabilities: MockCapabilities = {
    passwordsPerUser: 2,
    canCloneUsers: true,
    asyncChanges: false,
    changeAuthority: 'credentials',
    ...options.capabilities,
  };
  const authorize = (principal: Principal<MockSecret>, username: string) => {
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
  const cloneUser = async ({
    source,
    target: clone,
    principal,
  }: CloneUserRequest<MockSecret>): Promise<ChangeResult> => {
    target.calls.push(`cloneUser ${source.username} -> ${clone.username} as ${principal.kind}`);
    authorize(principal, clone.username);
    if (clone.password === undefined) throw new Error('the pending secret has no password');
    const existing = target.users.get(clone.username);
    const grants = [...(target.users.get(source.username)?.grants ?? [])];
    if (existing) {
      // Idempotent, and complete: the password, and the source's grants again.
      target.apply(clone.username, [clone.password]);
      existing.grants = grants;
      return changed;
    }
    target.addUser(clone.username, [clone.password], { grants });
    return { status: 'created' };
  };
  const waitUntilApplied = async ({ user }: UserRequest<MockSecret>, context: StepContext) => {
    target.calls.push(`wait ${user.username}`);
    await pollUntil(async () => (target.poll(user.username) ? true : undefined), context, {
      description: `user "${user.username}" to become active`,
      initialDelayMs: 5,
      maxDelayMs: 20,
    });
    return { status: 'applied' as const };
  };
  return defineEngine<MockSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'mock',
    secretSchema: mockSecretSchema,
    passwordPolicy: mockPasswordPolicy,
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
      if (options.failSetPasswordsWith) throw options.failSetPasswordsWith(passwords[0] ?? '');
      authorize(principal, user.username);
      target.apply(user.username, [...passwords]);
      return changed;
    },
    ...(capabilities.canCloneUsers
      ? { canCloneUsers: true as const, cloneUser }
      : { canCloneUsers: false as const }),
    ...(capabilities.asyncChanges
      ? { asyncChanges: true as const, waitUntilApplied }
      : { asyncChanges: false as const }),
  });
}
