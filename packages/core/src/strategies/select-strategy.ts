import type { EngineSecret, RotationEngine, StrategyId } from '../engine/contract.js';
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
  if (choice === 'dual-password' && engine.capabilities.maxPasswordsPerUser < 2) {
    throw new InvalidConfigurationError(
      `Strategy "dual-password" needs users that hold two passwords; engine "${engine.engineId}" holds one`,
    );
  }
  if (choice === 'alternating-users' && !engine.capabilities.canCloneUsers) {
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
  else if (current.masterarn && engine.capabilities.canCloneUsers) id = 'alternating-users';
  else if (engine.capabilities.maxPasswordsPerUser === 2) id = 'dual-password';
  else id = 'single-user';
  if (
    id === 'alternating-users' &&
    engine.capabilities.changeAuthority === 'credentials' &&
    (typeof current.masterarn !== 'string' || current.masterarn.length === 0)
  ) {
    throw new InvalidSecretError(
      `Strategy "alternating-users" needs "masterarn" in the secret: the ARN of an admin secret that can create and change users`,
    );
  }
  return STRATEGIES[id];
}
