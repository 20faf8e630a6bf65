import { type EngineSecret, type RotationEngine, STRATEGY_IDS, type StrategyId } from '../engine/contract.js';
import { InvalidConfigurationError, InvalidSecretError } from '../errors.js';
import { alternatingUsersStrategy } from './alternating-users.js';
import { dualPasswordStrategy } from './dual-password.js';
import { singleUserStrategy } from './single-user.js';
import type { RotationStrategy } from './strategy.js';

export type StrategyChoice = StrategyId | 'auto';

const STRATEGIES: Record<StrategyId, RotationStrategy> = {
  'single-user': singleUserStrategy,
  'dual-password': dualPasswordStrategy,
  'alternating-users': alternatingUsersStrategy,
};

/** Fails at start-up when a configured strategy needs a capability the engine lacks. */
export function assertStrategySupported(engine: RotationEngine<EngineSecret>, choice: StrategyChoice): void {
  if (choice === 'dual-password' && engine.passwordsPerUser < 2) {
    throw new InvalidConfigurationError(
      `Strategy "dual-password" needs users that hold two passwords; engine "${engine.engineId}" holds one`,
    );
  }
  if (choice === 'alternating-users' && !engine.canCloneUsers) {
    throw new InvalidConfigurationError(
      `Strategy "alternating-users" needs an engine that can clone users; "${engine.engineId}" cannot`,
    );
  }
}

/**
 * The strategy for one rotation. `auto`: a secret naming an admin (`masterarn`) alternates users (as
 * AWS's multi-user functions do); otherwise dual-password where users hold two passwords; else single-user.
 */
export function selectStrategy<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  choice: StrategyChoice,
  current: TSecret,
): RotationStrategy {
  let id: StrategyId;
  if (choice !== 'auto') id = choice;
  else if (current.masterarn && engine.canCloneUsers) id = 'alternating-users';
  else if (engine.passwordsPerUser === 2) id = 'dual-password';
  else id = 'single-user';
  if (
    id === 'alternating-users' &&
    engine.changeAuthority === 'credentials' &&
    (typeof current.masterarn !== 'string' || current.masterarn.length === 0)
  ) {
    throw new InvalidSecretError(
      `Strategy "alternating-users" needs "masterarn" in the secret: the ARN of an admin secret that can create and change users`,
    );
  }
  return STRATEGIES[id];
}

/**
 * The key of the pending secret that records the strategy createSecret chose for this rotation
 * (decision 0100). Written with the pending version in one PutSecretValue, so every later step, in any
 * container and after any crash, runs the strategy the rotation started with instead of choosing again
 * from an AWSCURRENT that may have changed meanwhile. It stays in the secret after finishSecret (the next
 * rotation overwrites it); clients ignore it.
 */
export const STRATEGY_FIELD = 'rotorStrategy';

/**
 * The strategy a rotation's pending version records, checked against what this function may run: a strategy
 * the engine supports, and the configured one when it is not `auto`. Undefined for a pending version written
 * before strategies were recorded (an older function); the caller then chooses as createSecret did.
 */
export function recordedStrategy<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  choice: StrategyChoice,
  pending: TSecret,
  label: string,
): RotationStrategy | undefined {
  const recorded = pending[STRATEGY_FIELD];
  if (recorded === undefined) return undefined;
  if (typeof recorded !== 'string' || !(STRATEGY_IDS as readonly string[]).includes(recorded)) {
    throw new InvalidSecretError(`${label} records an unknown strategy in "${STRATEGY_FIELD}"`);
  }
  const id = recorded as StrategyId;
  if (choice !== 'auto' && id !== choice) {
    throw new InvalidSecretError(
      `${label} was created for strategy "${id}", but this function is configured for "${choice}"; cancel the rotation (or let it be replaced by a new one) to rotate with "${choice}"`,
    );
  }
  assertStrategySupported(engine as RotationEngine<EngineSecret>, id);
  return STRATEGIES[id];
}
