/** An engine's capability flags as data, for the checks that depend on them (no module of the suite imported). */
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';

/** An engine's capability flags, as data. */
export interface EngineCapabilities {
  passwordsPerUser: 1 | 2;
  changeAuthority: 'credentials' | 'control-plane';
  canCloneUsers: boolean;
  asyncChanges: boolean;
}

export function capabilitiesOf<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
): EngineCapabilities {
  return {
    passwordsPerUser: engine.passwordsPerUser,
    changeAuthority: engine.changeAuthority,
    canCloneUsers: engine.canCloneUsers,
    asyncChanges: engine.asyncChanges,
  };
}
