import type {
  AdminSecret,
  EngineSecret,
  LoginResult,
  Principal,
  RotationEngine,
  StepContext,
  StrategyId,
} from '../engine/contract.js';
import { CredentialRejectedError, InvalidSecretError, LoginTestUnavailableError } from '../errors.js';

/** What a strategy's setSecret / testSecret receive from the protocol. */
export interface StrategyStepInput<TSecret extends EngineSecret> {
  engine: RotationEngine<TSecret>;
  context: StepContext;
  current: TSecret;
  pending: TSecret;
  /** AWSPREVIOUS, read only when a strategy needs it. */
  loadPrevious(): Promise<TSecret | undefined>;
  /** The admin secret named by `current.masterarn`. */
  loadAdmin(): Promise<AdminSecret>;
  /**
   * Versions that carry no label, newest first (a few at most): where an abandoned rotation's password may be
   * the only one the target accepts. Empty when the store cannot list versions.
   */
  loadUnlabelled(): Promise<Array<{ versionId: string; secret: TSecret }>>;
  /** `required` (default): testSecret fails when the engine cannot log in from here. */
  loginTest: LoginTestPolicy;
}

/**
 * Whether testSecret must log in. `off` is the explicit, logged opt-out for functions that have no route
 * to the target's data plane; the rotation is then only as good as the engine's control-plane checks.
 */
export type LoginTestPolicy = 'required' | 'off';

/** What a strategy gets when its rotation was abandoned after it may have changed the target. */
export interface AbandonedRotationInput<TSecret extends EngineSecret> {
  engine: RotationEngine<TSecret>;
  context: StepContext;
  /** The rotation's own version (the token's value), which no longer carries a label. */
  abandoned: TSecret;
  abandonedVersionId: string;
  /** AWSCURRENT as it is now (perhaps the new version whose creation abandoned the rotation). */
  current: TSecret | undefined;
  currentVersionId: string | undefined;
}

export interface RotationStrategy {
  readonly id: StrategyId;
  /** Fields that differ between AWSCURRENT and the new AWSPENDING, other than the new password. */
  pendingFields<TSecret extends EngineSecret>(
    engine: RotationEngine<TSecret>,
    current: TSecret,
  ): Partial<TSecret>;
  setSecret<TSecret extends EngineSecret>(input: StrategyStepInput<TSecret>): Promise<void>;
  testSecret<TSecret extends EngineSecret>(input: StrategyStepInput<TSecret>): Promise<void>;
  /**
   * Keeps a labelled version working after the rotation was abandoned (see decision 0015). Returns what it
   * found and did, for the error; strategies whose AWSCURRENT keeps working through a rotation need none.
   */
  reconcileAbandoned?<TSecret extends EngineSecret>(input: AbandonedRotationInput<TSecret>): Promise<string>;
}

/** Logs in and turns the outcome into a log line; returns whether the credentials were accepted. */
export async function tryLogin<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  user: TSecret,
  label: string,
  context: StepContext,
): Promise<LoginResult> {
  if (user.password === undefined)
    return { status: 'rejected', reason: `the ${label} secret has no password` };
  const outcome = await engine.login({ user }, context);
  if (outcome.status === 'skipped' || outcome.status === 'disabled') {
    context.logger.info(`Login as ${label} user "${user.username}" ${outcome.status}: ${outcome.reason}`);
  } else {
    context.logger.debug(`Login as ${label} user "${user.username}": ${outcome.status}`);
  }
  return outcome;
}

/**
 * testSecret's verdict: the credentials must log in. A user the target lets log in nowhere (`disabled`)
 * passes, since no client can depend on it; a login the engine cannot attempt (`skipped`) fails unless the
 * login test is off.
 */
export async function requireLogin<TSecret extends EngineSecret>(
  input: Pick<StrategyStepInput<TSecret>, 'engine' | 'context' | 'loginTest'>,
  user: TSecret,
  label: string,
): Promise<void> {
  const { engine, context } = input;
  const outcome = await tryLogin(engine, user, label, context);
  if (outcome.status === 'rejected') {
    throw new CredentialRejectedError(
      `The ${label} credentials of user "${user.username}" were refused: ${outcome.reason}`,
      { step: context.step },
    );
  }
  if (outcome.status === 'skipped' && input.loginTest === 'required') {
    throw new LoginTestUnavailableError(
      `testSecret could not log in as ${label} user "${user.username}": ${outcome.reason}. Give the function a route to the target, or turn the login test off (ROTOR_LOGIN_TEST=off) to accept untested rotations`,
      { step: context.step },
    );
  }
}

/**
 * The principal for a change the user makes to itself: the first of current / previous that logs in.
 * Engines changed through a control plane need no login.
 */
export async function findSelfPrincipal<TSecret extends EngineSecret>(
  input: StrategyStepInput<TSecret>,
): Promise<Principal<TSecret>> {
  const { engine, context, current, pending } = input;
  if (engine.changeAuthority === 'control-plane') return { kind: 'control-plane' };
  const currentOutcome = await tryLogin(engine, current, 'current', context);
  if (currentOutcome.status !== 'rejected') return { kind: 'self', secret: current };
  const previous = await input.loadPrevious();
  if (previous && previous.username === pending.username) {
    const previousOutcome = await tryLogin(engine, previous, 'previous', context);
    if (previousOutcome.status !== 'rejected') return { kind: 'self', secret: previous };
  }
  // A rotation abandoned between two invocations (a new version created after setSecret returned) can leave the
  // only accepted password in a version without a label. The target saying it accepts it is what is trusted.
  for (const { versionId, secret } of await input.loadUnlabelled()) {
    if (secret.username !== pending.username || secret.password === undefined) continue;
    if ((await tryLogin(engine, secret, `unlabelled version ${versionId}`, context)).status !== 'accepted')
      continue;
    context.logger.error(
      `AWSCURRENT and AWSPREVIOUS of "${current.username}" are refused, but the password of version ${versionId}, which carries no label (an abandoned rotation's), logs in: using it to set the pending password`,
      { code: 'ROTATION_ABANDONED' },
    );
    return { kind: 'self', secret };
  }
  throw new CredentialRejectedError(
    `Cannot log in as "${current.username}" with the pending, current, previous or an unlabelled version's password, so the password cannot be changed`,
    { step: context.step },
  );
}

/** Async engines: waits until the change to `user` has applied, before anything logs in to prove it. */
export async function waitUntilApplied<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  user: TSecret,
  context: StepContext,
): Promise<void> {
  if (engine.asyncChanges) await engine.waitUntilApplied({ user }, context);
}

/** The password a pending secret must carry (the protocol refuses a pending secret without one before any strategy runs). */
export function pendingPassword<TSecret extends EngineSecret>(
  pending: TSecret,
  context: StepContext,
): string {
  if (pending.password === undefined) {
    throw new InvalidSecretError('The AWSPENDING secret has no password', { step: context.step });
  }
  return pending.password;
}
