import type { RotationStrategy } from './strategy.js';
import { findSelfPrincipal, pendingPassword, requireLogin, tryLogin, waitUntilApplied } from './strategy.js';

/**
 * One user holding two passwords: from setSecret until the next rotation the user accepts both the
 * pending and the current password, so no client that follows AWSCURRENT ever sees a failed login.
 * The oldest password is dropped at the next rotation, when [new, current] replaces both slots.
 */
export const dualPasswordStrategy: RotationStrategy = {
  id: 'dual-password',
  pendingFields: () => ({}),

  async setSecret(input) {
    const { engine, context, current, pending } = input;
    const pendingWorks = (await tryLogin(engine, pending, 'pending', context)).status === 'accepted';
    const currentWorks =
      current.password === undefined ||
      (await tryLogin(engine, current, 'current', context)).status === 'accepted';
    if (pendingWorks && currentWorks) {
      context.logger.info(
        `"${pending.username}" already accepts the pending and current passwords; nothing to set`,
      );
      return;
    }
    const passwords = [pendingPassword(pending, context)];
    if (current.password !== undefined && current.password !== pending.password)
      passwords.push(current.password);
    const principal = await findSelfPrincipal(input);
    const result = await engine.setPasswords({ user: pending, passwords, principal }, context);
    context.logger.info(
      `Set ${passwords.length} passwords on "${pending.username}" (pending and current; ${result.status})`,
    );
  },

  async testSecret(input) {
    const { engine, context, current, pending } = input;
    await waitUntilApplied(engine, pending, context);
    await requireLogin(input, pending, 'pending');
    // The promise of this strategy: clients still on AWSCURRENT keep logging in.
    if (current.password !== undefined) await requireLogin(input, current, 'current');
  },
};
