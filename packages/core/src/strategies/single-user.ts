import type { RotationStrategy } from './strategy.js';
import { findSelfPrincipal, requireLogin, tryLogin } from './strategy.js';

/**
 * One user, one password: the user changes its own password. Between setSecret and finishSecret the
 * target has the new password while AWSCURRENT still holds the old one; @rotor/client bridges that gap.
 */
export const singleUserStrategy: RotationStrategy = {
  id: 'single-user',
  pendingFields: () => ({}),

  async setSecret(input) {
    const { engine, context, pending } = input;
    // A retried setSecret finds the change already made.
    if ((await tryLogin(engine, pending, 'pending', context)).status === 'accepted') {
      context.logger.info(`The pending password of "${pending.username}" already works; nothing to set`);
      return;
    }
    const principal = await findSelfPrincipal(input);
    await engine.setPasswords({ user: pending, passwords: [pending.password!], principal }, context);
    context.logger.info(`Set the pending password of "${pending.username}"`);
  },

  async testSecret(input) {
    const { engine, context, pending } = input;
    if (engine.capabilities.asyncChanges) await engine.waitUntilApplied!({ user: pending }, context);
    await requireLogin(input, pending, 'pending');
  },
};
