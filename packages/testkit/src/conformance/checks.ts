import { optOutProblems } from './capability-rules.js';
import { fail } from './check-context.js';
import { clone } from './clone-check.js';
import {
  adminElsewhereCheck,
  cloneHalfwayCheck,
  targetBusyCheck,
  targetDownCheck,
  untrustedTlsCheck,
  wrongAdminPasswordCheck,
} from './hostile-environment-checks.js';
import {
  badPasswordsCheck,
  extraPasswordsCheck,
  hostileUsernamesCheck,
  otherUsersPrincipalCheck,
  policyPromisesCheck,
  stagedBadPasswordCheck,
} from './hostile-input-checks.js';
import { managedAdminCheck } from './hostile-managed-admin-checks.js';
import {
  contract,
  exactPassword,
  idempotent,
  missingUser,
  noSecretInErrors,
  passwordPolicy,
  previousPassword,
} from './password-checks.js';
import { rotationCheck } from './rotation-check.js';
import type { ConformanceCheck } from './types.js';
import { waitAbort } from './wait-abort-check.js';

export { CHECK_CAPABILITY, optOutProblems } from './capability-rules.js';
export type { ConformanceCheck } from './types.js';

const optOuts: ConformanceCheck = {
  id: 'opt-outs',
  title: 'every opt-out names a capability the engine does not claim, with a reason',
  async run(ctx, options) {
    const problems = optOutProblems(options.skip ?? {}, ctx.capabilities);
    if (problems.length > 0) fail(`invalid opt-outs: ${problems.join('; ')}`);
  },
};

/** All checks, in the order they run. */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  optOuts,
  contract,
  exactPassword,
  previousPassword,
  idempotent,
  missingUser,
  noSecretInErrors,
  passwordPolicy,
  clone,
  waitAbort,
  rotationCheck('single-user', 'rotation-single-user', 'a full single-user rotation through core, twice'),
  rotationCheck(
    'dual-password',
    'rotation-dual-password',
    'a full dual-password rotation through core, twice',
  ),
  rotationCheck(
    'alternating-users',
    'rotation-alternating-users',
    'a full alternating-users rotation through core, twice (there and back)',
  ),
  // Hostile input and a hostile environment (issue 19, docs/decisions/0130).
  hostileUsernamesCheck,
  badPasswordsCheck,
  stagedBadPasswordCheck,
  extraPasswordsCheck,
  otherUsersPrincipalCheck,
  policyPromisesCheck,
  wrongAdminPasswordCheck,
  adminElsewhereCheck,
  managedAdminCheck,
  targetDownCheck,
  targetBusyCheck,
  untrustedTlsCheck,
  cloneHalfwayCheck,
];
