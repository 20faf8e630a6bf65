import type { EngineSecret, Principal } from '../engine/contract.js';
import type { AbandonedRotationInput, RotationStrategy } from './strategy.js';
import { findSelfPrincipal, pendingPassword, requireLogin, tryLogin, waitUntilApplied } from './strategy.js';

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
    const password = pendingPassword(pending, context);
    const principal = await findSelfPrincipal(input);
    const result = await engine.setPasswords({ user: pending, passwords: [password], principal }, context);
    context.logger.info(`Set the pending password of "${pending.username}" (${result.status})`);
  },

  async testSecret(input) {
    const { engine, context, pending } = input;
    await waitUntilApplied(engine, pending, context);
    await requireLogin(input, pending, 'pending');
  },

  reconcileAbandoned: restoreLabelledCurrent,
};

/**
 * The user's only password may now be the abandoned version's, which no client reads. If AWSCURRENT no
 * longer logs in but the abandoned password does (so the change was applied, as the server itself says),
 * the user changes its password to AWSCURRENT's, which makes the labelled version work again.
 */
async function restoreLabelledCurrent<TSecret extends EngineSecret>(
  input: AbandonedRotationInput<TSecret>,
): Promise<string> {
  const { engine, context, abandoned, current, currentVersionId } = input;
  const user = abandoned.username;
  if (!current || current.username !== user || current.password === undefined) {
    return `AWSCURRENT (version ${currentVersionId ?? 'none'}) is not a password of "${user}", so the target was left as it is; the password of "${user}" may now be only in version ${input.abandonedVersionId}`;
  }
  const before = await tryLogin(engine, current, 'current', context);
  if (before.status !== 'rejected') {
    return `AWSCURRENT (version ${currentVersionId}) still logs in as "${user}"; nothing to restore`;
  }
  if ((await tryLogin(engine, abandoned, 'abandoned', context)).status !== 'accepted') {
    return `neither AWSCURRENT (version ${currentVersionId}) nor version ${input.abandonedVersionId} logs in as "${user}"; nothing could be restored`;
  }
  await engine.preflight?.({ user: current }, context);
  const principal: Principal<TSecret> =
    engine.changeAuthority === 'control-plane'
      ? { kind: 'control-plane' }
      : { kind: 'self', secret: abandoned };
  await engine.setPasswords({ user: current, passwords: [current.password], principal }, context);
  await waitUntilApplied(engine, current, context);
  const after = await tryLogin(engine, current, 'current', context);
  return after.status === 'rejected'
    ? `set the password of "${user}" back to AWSCURRENT (version ${currentVersionId}), but it is still refused: ${after.reason}`
    : `restored the password of "${user}" to AWSCURRENT (version ${currentVersionId}); the password of version ${input.abandonedVersionId} no longer logs in`;
}
