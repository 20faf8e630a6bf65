import { InvalidConfigurationError } from '../errors.js';
import { ENGINE_CONTRACT_VERSION, type EngineSecret, type RotationEngine } from './contract.js';
import { validatePasswordPolicy } from './password-policy.js';

/**
 * Registers an engine: checks its shape and contract version once, at construction time, so a
 * malformed engine fails when the Lambda starts rather than halfway through a rotation.
 */
export function defineEngine<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
): RotationEngine<TSecret> {
  const problems: string[] = [];
  const candidate = engine as unknown as Record<string, unknown>;
  if (candidate.contractVersion !== ENGINE_CONTRACT_VERSION) {
    problems.push(
      `contractVersion ${String(candidate.contractVersion)} is not supported (this core speaks ${ENGINE_CONTRACT_VERSION})`,
    );
  }
  if (typeof engine.engineId !== 'string' || !/^[a-z][a-z0-9-]*$/.test(engine.engineId)) {
    problems.push('engineId must be a lower-case id such as "elasticache"');
  }
  if (!engine.secretSchema || typeof engine.secretSchema.safeParse !== 'function') {
    problems.push('secretSchema must be a zod schema');
  }
  for (const operation of ['login', 'setPasswords'] as const) {
    if (typeof engine[operation] !== 'function') problems.push(`${operation}() is missing`);
  }
  const capabilities = engine.capabilities;
  if (!capabilities) {
    problems.push('capabilities are missing');
  } else {
    if (capabilities.maxPasswordsPerUser !== 1 && capabilities.maxPasswordsPerUser !== 2) {
      problems.push('capabilities.maxPasswordsPerUser must be 1 or 2');
    }
    if (capabilities.canCloneUsers && typeof engine.cloneUser !== 'function') {
      problems.push('capabilities.canCloneUsers is true but cloneUser() is missing');
    }
    if (capabilities.asyncChanges && typeof engine.waitUntilApplied !== 'function') {
      problems.push('capabilities.asyncChanges is true but waitUntilApplied() is missing');
    }
    if (capabilities.changeAuthority !== 'credentials' && capabilities.changeAuthority !== 'control-plane') {
      problems.push('capabilities.changeAuthority must be "credentials" or "control-plane"');
    }
  }
  if (!engine.passwordPolicy) problems.push('passwordPolicy is missing');
  else problems.push(...validatePasswordPolicy(engine.passwordPolicy));
  if (problems.length > 0) {
    throw new InvalidConfigurationError(
      `Engine "${String(candidate.engineId)}" does not satisfy the engine contract: ${problems.join('; ')}`,
    );
  }
  return Object.freeze({ ...engine });
}
