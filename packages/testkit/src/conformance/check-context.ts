import { randomUUID } from 'node:crypto';
import { generatePassword, RotationError } from '@rotor/core';
import type {
  ChangeResult,
  CloneUserRequest,
  EngineSecret,
  LoginResult,
  Principal,
  RotationEngine,
  SetPasswordsRequest,
  StepContext,
} from '@rotor/core/engine';
import { stepContext } from '../builders.js';
import { type CapturingLogger, createCapturingLogger } from '../capturing-logger.js';
import type { SecretWatch } from '../secret-watch.js';
import { capabilitiesOf, type EngineCapabilities } from './engine-capabilities.js';
import { ConformanceFailure, type ConformanceTarget } from './target.js';

export function fail(message: string): never {
  throw new ConformanceFailure(message);
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

/** What one check works with: the engine behind a leak guard, the target, fresh users and passwords. */
export class CheckContext<TSecret extends EngineSecret> {
  readonly logger: CapturingLogger = createCapturingLogger();
  /** The last error an engine call threw, so an unexpected one can be reported with the call that threw it. */
  lastEngineError: { operation: string; error: unknown } | undefined;

  constructor(
    readonly engine: RotationEngine<TSecret>,
    readonly target: ConformanceTarget<TSecret>,
    readonly watch: SecretWatch,
    private readonly names: { prefix: string; next: () => number },
  ) {}

  get capabilities(): EngineCapabilities {
    return capabilitiesOf(this.engine);
  }

  /** A user name no other check uses. */
  username(): string {
    return `${this.names.prefix}_${this.names.next()}`;
  }

  /** A password from the engine's own policy, remembered so that any leak of it is caught. */
  password(label: string): string {
    const password = generatePassword(this.engine.passwordPolicy);
    this.watch.remember(password, label);
    return password;
  }

  /** Creates a user through the target (not the engine) and returns its secret. */
  async newUser(password: string): Promise<TSecret> {
    const username = this.username();
    await this.target.createUser(username, password);
    check(
      await this.target.canLogin(username, password),
      `the target's createUser/canLogin are inconsistent: a user it just created does not log in`,
    );
    return this.target.secretFor(username, password);
  }

  secretFor(username: string, password?: string): TSecret {
    return this.target.secretFor(username, password);
  }

  stepContext(signal?: AbortSignal): StepContext {
    return stepContext({
      logger: this.logger,
      secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:conformance',
      clientRequestToken: randomUUID(),
      ...(signal ? { signal } : {}),
    });
  }

  /** The principal for a user changing itself, as core's single-user and dual-password strategies pass it. */
  selfPrincipal(current: TSecret): Principal<TSecret> {
    return this.capabilities.changeAuthority === 'control-plane'
      ? { kind: 'control-plane' }
      : { kind: 'self', secret: current };
  }

  /** The principal core's alternating-users strategy passes: the admin secret, or the control plane. */
  adminPrincipal(checkName: string): Principal<TSecret> {
    if (this.capabilities.changeAuthority === 'control-plane') return { kind: 'control-plane' };
    const admin = this.requireAdmin(checkName);
    return {
      kind: 'admin',
      admin: {
        secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:conformance/admin',
        value: admin.value,
        readTags: async () => ({ ...admin.tags }),
      },
    };
  }

  /** The target's admin secret; fails the check when the target has none. */
  requireAdmin(checkName: string): NonNullable<ConformanceTarget<TSecret>['admin']> {
    const admin = this.target.admin;
    check(
      admin,
      `${checkName} needs an admin: the engine changes users with credentials, so the target must provide \`admin\` (the value of the secret \`masterarn\` points to)`,
    );
    return admin;
  }

  // ---- Engine calls. Every error they raise is scanned for secret material before anything else. ----

  async login(user: TSecret): Promise<LoginResult> {
    const outcome = await this.guard('login', () => this.engine.login({ user }, this.stepContext()));
    const statuses = ['accepted', 'rejected', 'disabled', 'skipped'];
    check(
      statuses.includes(outcome?.status),
      `engine.login returned ${describeResult(outcome)}; contract v2 wants a LoginResult ({ status: ${statuses.join(' | ')} })`,
    );
    if (outcome.status !== 'accepted')
      this.assertNoLeak(`engine.login's ${outcome.status} reason`, outcome.reason);
    return outcome;
  }

  async setPasswords(input: SetPasswordsRequest<TSecret>, signal?: AbortSignal): Promise<ChangeResult> {
    const result = await this.guard('setPasswords', () =>
      this.engine.setPasswords(input, this.stepContext(signal)),
    );
    return expectChangeResult('setPasswords', result, ['changed', 'unchanged']);
  }

  async cloneUser(input: CloneUserRequest<TSecret>): Promise<ChangeResult> {
    const engine = this.engine;
    if (!engine.canCloneUsers) fail('cloneUser was called for an engine that does not claim canCloneUsers');
    const result = await this.guard('cloneUser', () => engine.cloneUser(input, this.stepContext()));
    return expectChangeResult('cloneUser', result, ['created', 'changed', 'unchanged']);
  }

  async preflight(user: TSecret): Promise<void> {
    const preflight = this.engine.preflight;
    if (!preflight) return;
    const result = await this.guard('preflight', () =>
      preflight.call(this.engine, { user }, this.stepContext()),
    );
    check(
      result?.status === 'ready',
      `engine.preflight returned ${describeResult(result)}; contract v2 wants { status: 'ready' } (or a thrown RotationError)`,
    );
  }

  async waitUntilApplied(user: TSecret, signal?: AbortSignal): Promise<void> {
    const engine = this.engine;
    if (!engine.asyncChanges)
      fail('waitUntilApplied was called for an engine that does not claim asyncChanges');
    const result = await this.guard('waitUntilApplied', () =>
      engine.waitUntilApplied({ user }, this.stepContext(signal)),
    );
    check(
      result?.status === 'applied',
      `engine.waitUntilApplied returned ${describeResult(result)}; contract v2 wants { status: 'applied' } (or a thrown StepTimeoutError)`,
    );
  }

  /** setPasswords, then (for engines with asynchronous changes) waitUntilApplied, as core's strategies do. */
  async applyPasswords(input: SetPasswordsRequest<TSecret>): Promise<void> {
    await this.setPasswords(input);
    if (this.engine.asyncChanges) await this.waitUntilApplied(input.user);
  }

  /** cloneUser, then waitUntilApplied when changes are asynchronous. */
  async applyClone(input: CloneUserRequest<TSecret>): Promise<void> {
    await this.cloneUser(input);
    if (this.engine.asyncChanges) await this.waitUntilApplied(input.target);
  }

  // ---- Expectations ----

  /** Checks a login with the target's own client, never the engine's. */
  async expectLogin(username: string, password: string, accepted: boolean, what: string): Promise<void> {
    const actual = await this.target.canLogin(username, password);
    if (actual !== accepted) {
      fail(
        `${what}: user "${username}" should ${accepted ? 'log in' : 'be refused'}, checked independently of the engine, but was ${actual ? 'accepted' : 'refused'}`,
      );
    }
  }

  async expectEngineLogin(user: TSecret, status: 'accepted' | 'rejected', what: string): Promise<void> {
    const outcome = await this.login(user);
    check(
      outcome.status === status,
      `${what}: engine.login for "${user.username}" should be ${status} but was ${outcome.status}${outcome.status === 'accepted' ? '' : ` (${outcome.reason})`}`,
    );
  }

  /** Awaits an operation that must fail; returns the error (already scanned for secrets). */
  async expectFailure(operation: Promise<unknown>, what: string): Promise<unknown> {
    try {
      await operation;
    } catch (error) {
      if (error instanceof ConformanceFailure) throw error;
      return error;
    }
    return fail(`${what} should have failed but succeeded`);
  }

  expectRotationError(error: unknown, codes: readonly string[], what: string): RotationError {
    check(
      RotationError.isInstance(error),
      `${what} should throw a RotationError (${codes.join(' or ')}) but threw ${describeError(error)}`,
    );
    check(
      codes.includes(error.code),
      `${what} should throw ${codes.join(' or ')} but threw ${error.name} (${error.code}): ${error.message}`,
    );
    return error;
  }

  /** Fails when any remembered secret appears in what this check logged. */
  assertLogsClean(): void {
    for (const line of this.logger.lines) {
      const leaks = this.watch.findIn(line.text);
      if (leaks.length > 0) {
        fail(
          `a ${line.level} log line contains secret material (${leaks.join(', ')}); the line, redacted: ${this.watch.scrub(line.text)}`,
        );
      }
    }
  }

  assertNoLeak(where: string, value: unknown): void {
    const leaks = this.watch.findInValue(value);
    if (leaks.length > 0) fail(`${where} contains secret material (${leaks.join(', ')})`);
  }

  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.assertNoLeak(`the error thrown by engine.${operation}`, error);
      this.lastEngineError = { operation, error };
      throw error;
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** A write's result must be one of contract v2's ChangeResults. */
function expectChangeResult(
  operation: string,
  result: ChangeResult | undefined,
  statuses: ReadonlyArray<ChangeResult['status']>,
): ChangeResult {
  check(
    result !== undefined && statuses.includes(result.status),
    `engine.${operation} returned ${describeResult(result)}; contract v2 wants a ChangeResult ({ status: ${statuses.join(' | ')} })`,
  );
  return result;
}

function describeResult(result: unknown): string {
  if (result === undefined) return 'nothing';
  try {
    return JSON.stringify(result).slice(0, 80);
  } catch {
    return typeof result;
  }
}
