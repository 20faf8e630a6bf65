import {
  type ChangeResult,
  type CloneUserRequest,
  CredentialRejectedError,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  InvalidConfigurationError,
  type PasswordPolicy,
  PermissionDeniedError,
  type Principal,
  pollUntil,
  type RotationEngine,
  type StepContext,
  UserNotFoundError,
  type UserRequest,
} from '@rotor/core/engine';
import type { ConformanceTarget } from '@rotor/testkit';
import { z } from 'zod';

/** The capability flags of the memory engine (all four are free to choose). */
export interface MemoryCapabilities {
  passwordsPerUser: 1 | 2;
  canCloneUsers: boolean;
  asyncChanges: boolean;
  changeAuthority: 'credentials' | 'control-plane';
}

export const memorySecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().optional(),
  masterarn: z.string().optional(),
  host: z.string(),
});
export type MemorySecret = z.infer<typeof memorySecretSchema>;

export const memoryPolicy: PasswordPolicy = {
  length: 24,
  minLength: 8,
  maxLength: 64,
  excludeCharacters: '"\'\\/@',
  excludeUppercase: false,
  excludeLowercase: false,
  excludeNumbers: false,
  excludePunctuation: false,
  includeSpace: false,
  requireEachIncludedType: true,
};

interface MemoryUser {
  passwords: string[];
  roles: string[];
}

/**
 * A tiny in-memory "database server": users with passwords and role memberships, an admin, and
 * (for engines with asynchronous changes) staged changes that apply on the next poll unless held.
 */
export class MemoryServer {
  readonly users = new Map<string, MemoryUser>();
  readonly admin = { username: 'admin', password: 'Admin-Password-For-Tests-1' };
  /** Characters the server's password parser stops at (a server that cannot take every policy character). */
  truncateAt: string | undefined;
  private held = false;
  private readonly staged = new Map<string, string[]>();

  accepts(username: string, password: string | undefined): boolean {
    if (username === this.admin.username) return password === this.admin.password;
    return password !== undefined && (this.users.get(username)?.passwords.includes(password) ?? false);
  }

  store(username: string, passwords: string[], asynchronous: boolean): void {
    const stored = passwords.map((password) => this.parse(password));
    if (asynchronous) this.staged.set(username, stored);
    else this.users.get(username)!.passwords = stored;
  }

  /** Applies a staged change unless changes are held; true when nothing is pending any more. */
  poll(username: string): boolean {
    const staged = this.staged.get(username);
    if (!staged) return true;
    if (this.held) return false;
    this.users.get(username)!.passwords = staged;
    this.staged.delete(username);
    return true;
  }

  hold(): () => Promise<void> {
    this.held = true;
    return async () => {
      this.held = false;
    };
  }

  private parse(password: string): string {
    if (!this.truncateAt) return password;
    const cut = [...password].findIndex((character) => this.truncateAt!.includes(character));
    return cut < 0 ? password : password.slice(0, cut);
  }
}

export function memoryTarget(
  server: MemoryServer,
  options: { holdable?: boolean } = {},
): ConformanceTarget<MemorySecret> {
  return {
    secretFor: (username, password) => ({
      username,
      ...(password === undefined ? {} : { password }),
      host: 'memory.local',
    }),
    async createUser(username, password) {
      server.users.set(username, { passwords: [password], roles: [] });
    },
    async canLogin(username, password) {
      return server.accepts(username, password);
    },
    admin: { value: { ...server.admin, host: 'memory.local' } },
    async decorateCloneSource(username) {
      server.users.get(username)!.roles.push('readers', 'writers');
    },
    async describeCloneable(username) {
      return { roles: [...(server.users.get(username)?.roles ?? [])].sort() };
    },
    ...(options.holdable ? { holdChanges: async () => server.hold() } : {}),
    async stop() {},
  };
}

/** The mistakes the suite must catch. */
export type Fault =
  | 'sets-different-password'
  | 'not-idempotent'
  | 'leaks-password-in-error'
  | 'leaks-password-in-log'
  | 'ignores-abort-signal'
  | 'keeps-one-of-two-passwords'
  | 'generic-error-for-missing-user'
  | 'drops-unknown-secret-fields';

export interface MemoryEngineOptions {
  capabilities?: Partial<MemoryCapabilities>;
  policy?: PasswordPolicy;
  fault?: Fault;
}

/** A correct engine for MemoryServer, or one with exactly one `fault`. */
export function memoryEngine(
  server: MemoryServer,
  options: MemoryEngineOptions = {},
): RotationEngine<MemorySecret> {
  const capabilities: MemoryCapabilities = {
    passwordsPerUser: 2,
    canCloneUsers: true,
    asyncChanges: false,
    changeAuthority: 'credentials',
    ...options.capabilities,
  };
  const fault = options.fault;

  /** Checks the principal may change `username`; returns 'applied' when a retry finds the change made. */
  const authorize = (principal: Principal<MemorySecret>, username: string, passwords: readonly string[]) => {
    if (principal.kind === 'admin') {
      if (!server.accepts(String(principal.admin.value.username), principal.admin.value.password as string)) {
        throw new PermissionDeniedError('The admin credentials are refused');
      }
      return 'authorized';
    }
    if (principal.kind === 'control-plane') {
      throw new InvalidConfigurationError('This engine changes users with credentials, not a control plane');
    }
    if (principal.secret.username !== username)
      throw new PermissionDeniedError(`Only "${username}" may change itself`);
    if (server.accepts(username, principal.secret.password)) return 'authorized';
    const applied =
      server.users.get(username)?.passwords.length === passwords.length &&
      passwords.every((password) => server.accepts(username, password));
    if (applied && fault !== 'not-idempotent') return 'applied';
    const secretPart =
      fault === 'leaks-password-in-error' ? ` with password ${principal.secret.password}` : '';
    throw new CredentialRejectedError(`Cannot log in as "${username}"${secretPart} to change its password`);
  };

  const changed: ChangeResult = { status: 'changed' };
  const cloneUser = async ({
    source,
    target,
    principal,
  }: CloneUserRequest<MemorySecret>): Promise<ChangeResult> => {
    if (
      principal.kind !== 'admin' ||
      !server.accepts(String(principal.admin.value.username), principal.admin.value.password as string)
    ) {
      throw new PermissionDeniedError('Cloning needs the admin');
    }
    const original = server.users.get(source.username);
    if (!original) throw new UserNotFoundError(`User "${source.username}" does not exist`);
    if (target.password === undefined) throw new InvalidConfigurationError('The clone needs a password');
    const existing = server.users.get(target.username);
    if (existing) existing.roles = [...original.roles];
    else server.users.set(target.username, { passwords: [], roles: [...original.roles] });
    server.store(target.username, [target.password], capabilities.asyncChanges);
    return existing ? changed : { status: 'created' };
  };
  const waitUntilApplied = async ({ user }: UserRequest<MemorySecret>, context: StepContext) => {
    if (fault === 'ignores-abort-signal') {
      while (!server.poll(user.username)) await new Promise((resolve) => setTimeout(resolve, 10));
      return { status: 'applied' as const };
    }
    await pollUntil(async () => (server.poll(user.username) ? true : undefined), context, {
      description: `the change to "${user.username}" to apply`,
      initialDelayMs: 5,
      maxDelayMs: 20,
    });
    return { status: 'applied' as const };
  };

  return defineEngine<MemorySecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'memory',
    secretSchema:
      fault === 'drops-unknown-secret-fields'
        ? (z.object({
            username: z.string().min(1),
            password: z.string().optional(),
            masterarn: z.string().optional(),
            host: z.string(),
          }) as unknown as typeof memorySecretSchema)
        : memorySecretSchema,
    passwordPolicy: options.policy ?? memoryPolicy,
    passwordsPerUser: capabilities.passwordsPerUser,
    changeAuthority: capabilities.changeAuthority,
    async login({ user }, context) {
      if (fault === 'leaks-password-in-log')
        context.logger.debug(`Logging in as ${user.username}:${user.password}`);
      return server.accepts(user.username, user.password)
        ? { status: 'accepted' }
        : { status: 'rejected', reason: 'invalid username-password pair' };
    },
    async setPasswords({ user, passwords, principal }) {
      if (passwords.length < 1 || passwords.length > capabilities.passwordsPerUser) {
        throw new InvalidConfigurationError(`A user holds 1..${capabilities.passwordsPerUser} passwords`);
      }
      if (!server.users.has(user.username)) {
        if (fault === 'generic-error-for-missing-user') throw new Error(`no such user ${user.username}`);
        throw new UserNotFoundError(`User "${user.username}" does not exist`);
      }
      if (authorize(principal, user.username, passwords) === 'applied') return { status: 'unchanged' };
      let stored = [...passwords];
      if (fault === 'sets-different-password') stored = stored.map((password) => password.slice(0, -1));
      if (fault === 'keeps-one-of-two-passwords') stored = stored.slice(0, 1);
      server.store(user.username, stored, capabilities.asyncChanges);
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
