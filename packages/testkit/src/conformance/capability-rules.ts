import type { EngineCapabilities } from './engine-capabilities.js';
import { CAPABILITY_CHECK_IDS, type CapabilityCheckId, CORE_CHECK_IDS, HOSTILE_CHECK_IDS } from './types.js';

/** The capability each optional check needs, and how it reads in messages. */
export const CHECK_CAPABILITY: Record<
  CapabilityCheckId,
  { claimed: (capabilities: EngineCapabilities) => boolean; capability: string }
> = {
  clone: { claimed: (c) => c.canCloneUsers, capability: 'canCloneUsers: true' },
  'wait-abort': { claimed: (c) => c.asyncChanges, capability: 'asyncChanges: true' },
  'rotation-dual-password': {
    claimed: (c) => c.passwordsPerUser === 2,
    capability: 'passwordsPerUser: 2',
  },
  'rotation-alternating-users': { claimed: (c) => c.canCloneUsers, capability: 'canCloneUsers: true' },
};

/** Problems with the `skip` option: unknown names, skipped core checks, opt-outs of claimed capabilities. */
export function optOutProblems(
  skip: Record<string, string | undefined>,
  capabilities: EngineCapabilities,
): string[] {
  const problems: string[] = [];
  for (const [id, reason] of Object.entries(skip)) {
    if ((HOSTILE_CHECK_IDS as readonly string[]).includes(id)) {
      if (typeof reason !== 'string' || reason.trim().length === 0)
        problems.push(`"${id}" is skipped without a reason`);
    } else if ((CORE_CHECK_IDS as readonly string[]).includes(id)) {
      problems.push(`"${id}" checks what every engine must do and cannot be skipped`);
    } else if (!(CAPABILITY_CHECK_IDS as readonly string[]).includes(id)) {
      problems.push(`"${id}" is not a check (optional checks: ${CAPABILITY_CHECK_IDS.join(', ')})`);
    } else if (CHECK_CAPABILITY[id as CapabilityCheckId].claimed(capabilities)) {
      problems.push(
        `"${id}" is skipped but the engine claims ${CHECK_CAPABILITY[id as CapabilityCheckId].capability}: a claimed capability must pass its check (it ran anyway)`,
      );
    } else if (typeof reason !== 'string' || reason.trim().length === 0) {
      problems.push(`"${id}" is skipped without a reason`);
    }
  }
  return problems;
}
