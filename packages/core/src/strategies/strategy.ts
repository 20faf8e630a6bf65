import type {
  AdminSecret,
  EngineSecret,
  LoginOutcome,
  Principal,
  RotationEngine,
  StepContext,
  StrategyId,
} from '../engine/contract.js';
import { CredentialRejectedError } from '../errors.js';

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
}

/** Logs in and turns the outcome into a log line; returns whether the credentials were accepted. */
export async function tryLogin<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  user: TSecret,
  label: string,
  context: StepContext,
): Promise<LoginOutcome> {
  if (user.password === undefined)
    return { status: 'rejected', reason: `the ${label} secret has no password` };
  const outcome = await engine.login(user, context);
  if (outcome.status === 'skipped') {
    context.logger.info(`Login test as ${label} user "${user.username}" skipped: ${outcome.reason}`);
  } else {
    context.logger.debug(`Login as ${label} user "${user.username}": ${outcome.status}`);
  }
  return outcome;
}

/** testSecret's verdict: the credentials must log in (or the engine cannot test from here). */
export async function requireLogin<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  user: TSecret,
  label: string,
  context: StepContext,
): Promise<void> {
  const outcome = await tryLogin(engine, user, label, context);
  if (outcome.status === 'rejected') {
    throw new CredentialRejectedError(
      `The ${label} credentials of user "${user.username}" were refused: ${outcome.reason}`,
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
  if (engine.capabilities.changeAuthority === 'control-plane') return { kind: 'control-plane' };
  const currentOutcome = await tryLogin(engine, current, 'current', context);
  if (currentOutcome.status !== 'rejected') return { kind: 'self', secret: current };
  const previous = await input.loadPrevious();
  if (previous && previous.username === pending.username) {
    const previousOutcome = await tryLogin(engine, previous, 'previous', context);
    if (previousOutcome.status !== 'rejected') return { kind: 'self', secret: previous };
  }
  throw new CredentialRejectedError(
    `Cannot log in as "${current.username}" with the pending, current or previous password, so the password cannot be changed`,
    { step: context.step },
  );
}
