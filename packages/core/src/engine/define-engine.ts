import { InvalidConfigurationError } from '../errors.js';
import { ENGINE_CONTRACT_VERSION, type EngineSecret, type RotationEngine } from './contract.js';
import { validatePasswordPolicy } from './password-policy.js';

/**
 * What changed since contract v1, for the error an old engine gets (decision 0100). An engine built for
 * v1 fails at cold start with this list instead of halfway through a rotation.
 */
const CHANGES_SINCE_V1 = [
  '`capabilities` is gone: declare `passwordsPerUser` (was maxPasswordsPerUser), `changeAuthority`, `canCloneUsers` and `asyncChanges` on the engine itself',
  'every operation takes one request object and returns one result object: `login({ user })` (was `login(user)`), `preflight({ user })` (was `{ secret }`), `alternateUser({ user })` returns `{ fields }`, `waitUntilApplied({ user })` returns `{ status: "applied" }`',
  '`setPasswords` and `cloneUser` return a ChangeResult (`{ status: "created" | "changed" | "unchanged" }`) instead of nothing',
  'build the password policy with `definePasswordPolicy({ ... })`, which fills in defaults',
];

/**
 * Registers an engine: checks its shape and contract version once, at construction time, so a
 * malformed engine fails when the Lambda starts rather than halfway through a rotation. The types
 * already demand most of this; the checks are for engines built without them (JavaScript, casts,
 * or another version of core).
 *
 * `defineEngine<MySecret>({...})` returns a `RotationEngine<MySecret>`; name the capabilities too
 * (`defineEngine<MySecret, EngineBase<MySecret> & CloningEngine<MySecret> & SyncEngine>({...})`) and callers
 * may call `cloneUser` without checking for it.
 */
export function defineEngine<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
): RotationEngine<TSecret>;
export function defineEngine<TSecret extends EngineSecret, TEngine extends RotationEngine<TSecret>>(
  engine: TEngine,
): TEngine;
export function defineEngine<TSecret extends EngineSecret, TEngine extends RotationEngine<TSecret>>(
  engine: TEngine,
): TEngine {
  assertEngineContract(engine);
  // A shallow copy, frozen: the engine object the caller keeps cannot change the registered one.
  return Object.freeze(Object.assign({}, engine));
}

/** Throws InvalidConfigurationError naming every way `engine` misses contract v2. */
export function assertEngineContract(engine: unknown): void {
  const candidate = (typeof engine === 'object' && engine !== null ? engine : {}) as Record<string, unknown>;
  const name = `Engine "${String(candidate.engineId)}"`;
  if (candidate.contractVersion !== ENGINE_CONTRACT_VERSION) {
    const version = candidate.contractVersion;
    const found =
      version === undefined ? 'declares no contractVersion' : `speaks contract version ${String(version)}`;
    const changes = version === 1 ? ` What changed in v2: ${CHANGES_SINCE_V1.join('; ')}.` : '';
    throw new InvalidConfigurationError(
      `${name} ${found}, but this @rotor/core speaks engine contract version ${ENGINE_CONTRACT_VERSION} only (set contractVersion: ENGINE_CONTRACT_VERSION from @rotor/core/engine, and see docs/decisions/0100-engine-contract-v2.md).${changes}`,
    );
  }
  const problems: string[] = [];
  if (typeof candidate.engineId !== 'string' || !/^[a-z][a-z0-9-]*$/.test(candidate.engineId)) {
    problems.push('engineId must be a lower-case id such as "elasticache"');
  }
  const schema = candidate.secretSchema as { safeParse?: unknown } | undefined;
  if (!schema || typeof schema.safeParse !== 'function') problems.push('secretSchema must be a zod schema');
  for (const operation of ['login', 'setPasswords'] as const) {
    if (typeof candidate[operation] !== 'function') problems.push(`${operation}() is missing`);
  }
  if ('capabilities' in candidate) {
    problems.push('`capabilities` belongs to contract v1: declare its flags on the engine itself');
  }
  if (candidate.passwordsPerUser !== 1 && candidate.passwordsPerUser !== 2) {
    problems.push('passwordsPerUser must be 1 or 2');
  }
  if (candidate.changeAuthority !== 'credentials' && candidate.changeAuthority !== 'control-plane') {
    problems.push('changeAuthority must be "credentials" or "control-plane"');
  }
  for (const [flag, method] of [
    ['canCloneUsers', 'cloneUser'],
    ['asyncChanges', 'waitUntilApplied'],
  ] as const) {
    const claimed = candidate[flag];
    if (claimed !== true && claimed !== false) problems.push(`${flag} must be true or false`);
    else if (claimed && typeof candidate[method] !== 'function') {
      problems.push(`${flag} is true but ${method}() is missing`);
    } else if (!claimed && candidate[method] !== undefined) {
      problems.push(`${method}() is given but ${flag} is false`);
    }
  }
  if (candidate.canCloneUsers === false && candidate.alternateUser !== undefined) {
    problems.push('alternateUser() is given but canCloneUsers is false');
  }
  const policy = candidate.passwordPolicy as RotationEngine['passwordPolicy'] | undefined;
  if (!policy) problems.push('passwordPolicy is missing');
  else problems.push(...validatePasswordPolicy(policy));
  if (problems.length > 0) {
    throw new InvalidConfigurationError(
      `${name} does not satisfy the engine contract: ${problems.join('; ')}`,
    );
  }
}
