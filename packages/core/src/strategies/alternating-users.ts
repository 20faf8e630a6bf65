import { toggleCloneSuffix } from '../engine/alternate-username.js';
import type { EngineSecret, Principal, RotationEngine } from '../engine/contract.js';
import { CredentialRejectedError, InvalidConfigurationError } from '../errors.js';
import type { RotationStrategy } from './strategy.js';
import { requireLogin, tryLogin, waitUntilApplied } from './strategy.js';

/** The AWSPENDING fields that switch to the other user: the engine's rule, or the `_clone` toggle. */
export function alternateUserFields<TSecret extends EngineSecret>(
  engine: RotationEngine<TSecret>,
  current: TSecret,
): Partial<TSecret> {
  const fromEngine = engine.canCloneUsers ? engine.alternateUser?.({ user: current }).fields : undefined;
  return fromEngine ?? ({ username: toggleCloneSuffix(current.username) } as Partial<TSecret>);
}

/**
 * Two users, alternated: each rotation gives a new password to the user that is not AWSCURRENT (creating
 * it the first time), then makes it current. The previous user keeps working until the next rotation.
 *
 * setSecret always calls `cloneUser`, which is idempotent and brings the whole target state about: the
 * user, its password, and what it must share with the source (grants, memberships, user groups). "The
 * pending user already logs in" is not that state: a retry after a crash between creating the user and
 * adding it to its last group would find it logging in and stop there, leaving it outside a group.
 */
export const alternatingUsersStrategy: RotationStrategy = {
  id: 'alternating-users',
  pendingFields: (engine, current) => alternateUserFields(engine, current),

  async setSecret(input) {
    const { engine, context, current, pending } = input;
    if (!engine.canCloneUsers) {
      throw new InvalidConfigurationError(
        `Strategy "alternating-users" needs an engine that can clone users; "${engine.engineId}" cannot`,
        { step: context.step },
      );
    }
    // Confused-deputy guard (as AWS's functions do): only a secret that works may drive the admin.
    // A control-plane engine's first rotation may start from a secret with no password yet (AWS's
    // ElastiCache workflow creates the user without one); there the IAM role is the only authority and
    // preflight has already bound the secret to its user, so there is no deputy to confuse.
    const firstControlPlaneRotation =
      engine.changeAuthority === 'control-plane' && current.password === undefined;
    if (firstControlPlaneRotation) {
      context.logger.info(
        `"${current.username}" has no password yet; creating the alternate user on the IAM role's authority`,
      );
    } else if ((await tryLogin(engine, current, 'current', context)).status === 'rejected') {
      throw new CredentialRejectedError(
        `The current credentials of "${current.username}" do not log in; refusing to change "${pending.username}"`,
        { step: context.step },
      );
    }
    const principal: Principal<typeof current> =
      engine.changeAuthority === 'control-plane'
        ? { kind: 'control-plane' }
        : { kind: 'admin', admin: await input.loadAdmin() };
    const result = await engine.cloneUser({ source: current, target: pending, principal }, context);
    context.logger.info(
      `Alternate user "${pending.username}" is like "${current.username}" with the pending password (${result.status})`,
    );
  },

  async testSecret(input) {
    const { engine, context, current, pending } = input;
    await waitUntilApplied(engine, pending, context);
    await requireLogin(input, pending, 'pending');
    if (current.password !== undefined) await requireLogin(input, current, 'current');
  },
};
