import {
  type AdminSecret,
  assertArnInScope,
  type ChangeResult,
  type CloneUserRequest,
  CredentialRejectedError,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  EngineError,
  EngineUnavailableError,
  InvalidConfigurationError,
  InvalidSecretError,
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
  /** Users whose sessions the server turns away as busy. */
  readonly busy = new Set<string>();
  /** Clones (by target name) that fail after their first change. */
  readonly brokenClones = new Set<string>();
  /** Requests to the memory world's control plane (where a managed admin's server is). */
  controlPlaneCalls = 0;
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

  /** The control plane: the host of the server an ARN names, or undefined when it knows none. */
  locate(arn: string): string | undefined {
    this.controlPlaneCalls += 1;
    return MANAGED_SERVERS[arn];
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

/** The hosts of the memory world: the server, a second one, one that is down and one with a bad certificate. */
export const MEMORY_HOST = 'memory.local';
const OTHER_HOST = 'other.memory.local';
const DOWN_HOST = 'down.memory.local';
const UNTRUSTED_HOST = 'untrusted.memory.local';
/** The tag a managed admin secret of the memory world carries, and the servers its control plane knows. */
const MANAGED_TAG = 'memory:serverArn';
const MEMORY_ARN = 'arn:aws:memory:us-east-1:123456789012:server:main';
const OTHER_ARN = 'arn:aws:memory:us-east-1:123456789012:server:other';
const MANAGED_SERVERS: Record<string, string> = { [MEMORY_ARN]: MEMORY_HOST, [OTHER_ARN]: OTHER_HOST };

/** The kit's hostile harness for the memory world. */
function memoryHarness(server: MemoryServer): NonNullable<ConformanceTarget<MemorySecret>['harness']> {
  const other = new MemoryServer();
  const untrusted = new MemoryServer();
  const on = (world: MemoryServer, host: string) => ({
    secretFor: (username: string, password?: string) => ({
      username,
      ...(password === undefined ? {} : { password }),
      host,
    }),
    async createUser(username: string, password: string) {
      world.users.set(username, { passwords: [password], roles: [] });
    },
    async canLogin(username: string, password: string) {
      return world.accepts(username, password);
    },
    admin: { value: { ...world.admin, host } },
  });
  return {
    maxUsernameBytes: 63,
    adminDefaultsToUsersServer: true,
    downEndpoint: { host: DOWN_HOST },
    async makeBusy(username) {
      server.busy.add(username);
      return async () => {
        server.busy.delete(username);
      };
    },
    otherServer: on(other, OTHER_HOST),
    untrustedTlsServer: on(untrusted, UNTRUSTED_HOST),
    async breakClone(_source, cloneUsername) {
      server.brokenClones.add(cloneUsername);
    },
    managedAdmin: {
      secrets: [
        {
          name: 'a managed admin secret of the memory server',
          value: { ...server.admin },
          tags: { [MANAGED_TAG]: MEMORY_ARN, team: 'conformance' },
          otherResourceTags: { [MANAGED_TAG]: OTHER_ARN, team: 'conformance' },
        },
      ],
      controlPlaneCalls: () => server.controlPlaneCalls,
    },
  };
}

export function memoryTarget(
  server: MemoryServer,
  options: { holdable?: boolean } = {},
): ConformanceTarget<MemorySecret> {
  return {
    harness: memoryHarness(server),
    secretFor: (username, password) => ({
      username,
      ...(password === undefined ? {} : { password }),
      host: MEMORY_HOST,
    }),
    async createUser(username, password) {
      server.users.set(username, { passwords: [password], roles: [] });
    },
    async canLogin(username, password) {
      return server.accepts(username, password);
    },
    admin: { value: { ...server.admin, host: MEMORY_HOST } },
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
  | 'drops-unknown-secret-fields'
  // The hostile checks' faults (issue 19): each is one real engine bug the kit must catch.
  | 'garbles-non-ascii-passwords'
  | 'unreachable-as-rejected'
  | 'busy-as-credential-error'
  | 'admin-anywhere'
  | 'clone-without-rollback'
  | 'others-may-change'
  | 'drops-extra-passwords'
  | 'trusts-any-certificate'
  | 'untrusted-failure-retried'
  | 'strips-quotes-in-names'
  | 'ignores-managed-admin-tags'
  | 'accepts-foreign-arns'
  | 'trusts-managed-location'
  | 'reads-tags-always';

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

  /** Where a secret points: only the memory server itself can be reached (the others are down or untrusted). */
  const reach = (secret: { host?: unknown; username: string }) => {
    if (fault === 'trusts-any-certificate' && secret.host === UNTRUSTED_HOST) return;
    if (fault === 'untrusted-failure-retried' && secret.host === UNTRUSTED_HOST) {
      // An engine failure that claims a retry may succeed: core would retry an impostor until the deadline.
      throw new EngineError('The certificate does not verify', { retryable: true });
    }
    if (secret.host !== MEMORY_HOST) {
      if (fault === 'unreachable-as-rejected') throw new CredentialRejectedError('Login refused');
      throw new EngineUnavailableError(
        `Cannot reach ${String(secret.host)} (refused, or its certificate is not trusted)`,
      );
    }
    if (server.busy.has(secret.username)) {
      if (fault === 'busy-as-credential-error') throw new CredentialRejectedError('Login refused');
      throw new EngineUnavailableError('Too many connections');
    }
  };

  /** A managed admin secret (no host) belongs where the control plane puts the server its tag names. */
  const locateManagedAdmin = async (admin: AdminSecret, user: MemorySecret, context: StepContext) => {
    const arn = (await admin.readTags())[MANAGED_TAG];
    // Without the tag, an admin naming no host works on its user's server.
    if (arn === undefined) return;
    if (fault !== 'accepts-foreign-arns') {
      assertArnInScope(arn, context.functionScope, { label: `The tag ${MANAGED_TAG}`, service: 'memory' });
    }
    const host = server.locate(arn);
    if (host === undefined) throw new InvalidSecretError(`The tag ${MANAGED_TAG} names no known server`);
    if (host !== user.host && fault !== 'trusts-managed-location') {
      throw new InvalidSecretError(`The managed admin secret is for ${host}, not ${user.host}`);
    }
  };

  /** The admin, on its user's server only. */
  const admitAdmin = async (principal: Principal<MemorySecret>, user: MemorySecret, context: StepContext) => {
    if (principal.kind !== 'admin') throw new PermissionDeniedError('This needs the admin');
    const value = principal.admin.value;
    if (fault !== 'admin-anywhere' && value.host !== undefined && value.host !== user.host) {
      throw new InvalidSecretError(`The admin secret is for ${String(value.host)}, not ${user.host}`);
    }
    if (fault === 'reads-tags-always') await principal.admin.readTags();
    if (value.host === undefined && fault !== 'ignores-managed-admin-tags') {
      await locateManagedAdmin(principal.admin, user, context);
    }
    if (!server.accepts(String(value.username), value.password as string)) {
      throw new CredentialRejectedError('The admin credentials are refused');
    }
  };

  /** Checks the principal may change `username`; returns 'applied' when a retry finds the change made. */
  const authorize = async (
    principal: Principal<MemorySecret>,
    user: MemorySecret,
    passwords: readonly string[],
    context: StepContext,
  ) => {
    const username = user.username;
    if (principal.kind === 'admin') {
      await admitAdmin(principal, user, context);
      return 'authorized';
    }
    if (principal.kind === 'control-plane') {
      throw new InvalidConfigurationError('This engine changes users with credentials, not a control plane');
    }
    if (principal.secret.username !== username && fault !== 'others-may-change')
      throw new PermissionDeniedError(`Only "${username}" may change itself`);
    if (server.accepts(principal.secret.username, principal.secret.password)) return 'authorized';
    const applied =
      server.users.get(username)?.passwords.length === passwords.length &&
      passwords.every((password) => server.accepts(username, password));
    if (applied && fault !== 'not-idempotent') return 'applied';
    const secretPart =
      fault === 'leaks-password-in-error' ? ` with password ${principal.secret.password}` : '';
    throw new CredentialRejectedError(`Cannot log in as "${username}"${secretPart} to change its password`);
  };

  const changed: ChangeResult = { status: 'changed' };
  const cloneUser = async (
    { source, target, principal }: CloneUserRequest<MemorySecret>,
    context: StepContext,
  ): Promise<ChangeResult> => {
    reach(source);
    await admitAdmin(principal, source, context);
    const original = server.users.get(source.username);
    if (!original) throw new UserNotFoundError(`User "${source.username}" does not exist`);
    if (target.password === undefined) throw new InvalidConfigurationError('The clone needs a password');
    // As in one transaction: a clone that fails after its first change is put back as it was.
    const existing = server.users.get(target.username);
    const saved = existing && { passwords: [...existing.passwords], roles: [...existing.roles] };
    if (existing) existing.roles = [...original.roles];
    else server.users.set(target.username, { passwords: [], roles: [...original.roles] });
    if (server.brokenClones.has(target.username)) {
      if (fault === 'clone-without-rollback') {
        server.store(target.username, [target.password], false);
        throw new EngineError(`Cloning "${source.username}" failed halfway`);
      }
      if (saved) server.users.set(target.username, saved);
      else server.users.delete(target.username);
      throw new EngineError(`Cloning "${source.username}" failed halfway; rolled back`);
    }
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
      if (fault === 'unreachable-as-rejected' && user.host !== MEMORY_HOST) {
        return { status: 'rejected', reason: 'invalid username-password pair' };
      }
      reach(user);
      if (fault === 'leaks-password-in-log')
        context.logger.debug(`Logging in as ${user.username}:${user.password}`);
      return server.accepts(user.username, user.password)
        ? { status: 'accepted' }
        : { status: 'rejected', reason: 'invalid username-password pair' };
    },
    async setPasswords({ user: requested, passwords: requestedPasswords, principal }, context) {
      let user = requested;
      let passwords = requestedPasswords;
      if (fault === 'drops-extra-passwords') passwords = passwords.slice(0, capabilities.passwordsPerUser);
      if (passwords.length < 1 || passwords.length > capabilities.passwordsPerUser) {
        throw new InvalidConfigurationError(`A user holds 1..${capabilities.passwordsPerUser} passwords`);
      }
      reach(user);
      if (fault === 'strips-quotes-in-names') user = { ...user, username: user.username.replaceAll('"', '') };
      if (!server.users.has(user.username)) {
        if (fault === 'generic-error-for-missing-user') throw new Error(`no such user ${user.username}`);
        throw new UserNotFoundError(`User "${user.username}" does not exist`);
      }
      if ((await authorize(principal, user, passwords, context)) === 'applied')
        return { status: 'unchanged' };
      let stored = [...passwords];
      if (fault === 'sets-different-password') stored = stored.map((password) => password.slice(0, -1));
      if (fault === 'keeps-one-of-two-passwords') stored = stored.slice(0, 1);
      // A hash of a normalised form no client sends (as a missing SASLprep would store).
      if (fault === 'garbles-non-ascii-passwords')
        stored = stored.map((p) => (/^[\x21-\x7e]+$/.test(p) ? p : `${p}#`));
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
