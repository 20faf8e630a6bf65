/**
 * What must hold after every case, whatever was crashed: the rotation completed (or a re-drive completed
 * it), AWSCURRENT logs in and a wrong password does not, every credential the server holds is opened by
 * a labelled version, and the engine's control plane is complete. Problems are worded for a report: they
 * name users, versions and labels, never a password.
 */
import type { LoginLoopResult } from './login-loop.js';
import type { PreparedTarget, SecretVersionView } from './scenario.js';
import { LABELS, versionWith } from './secret-versions.js';

export interface InvariantInput {
  target: PreparedTarget;
  versions: SecretVersionView[];
  /** The ClientRequestToken of the rotation the case drove. */
  token: string;
  /** Present when the scenario promises that AWSCURRENT logs in throughout. */
  loginLoop?: LoginLoopResult | undefined;
}

const stringField = (value: Record<string, unknown> | undefined, key: string) =>
  typeof value?.[key] === 'string' ? (value[key] as string) : undefined;

/** A password that no version holds and no server accepts for any sane user. */
function wrongPassword(password: string): string {
  return `${password.slice(0, -1)}${password.endsWith('x') ? 'y' : 'x'}Wrong1`;
}

export async function checkInvariants(input: InvariantInput): Promise<string[]> {
  const { target, versions, token } = input;
  const problems: string[] = [];
  const current = versionWith(versions, 'AWSCURRENT');
  const pending = versionWith(versions, 'AWSPENDING');

  if (current?.versionId !== token) {
    problems.push(
      `the rotation did not complete: AWSCURRENT is on ${current ? `version ${current.versionId}` : 'no version'}, not on ${token}`,
    );
  }
  if (pending && pending.versionId !== current?.versionId) {
    problems.push(`AWSPENDING is left on version ${pending.versionId}: the next rotation cannot start`);
  }

  const username = stringField(current?.value, 'username');
  const password = stringField(current?.value, 'password');
  if (!username || !password) {
    problems.push('AWSCURRENT has no username and password');
  } else {
    if (!(await target.login(username, password))) {
      problems.push(`AWSCURRENT (user "${username}") is refused by the server`);
    }
    // The negative control: a login test that accepts anything proves nothing.
    if (await target.login(username, wrongPassword(password))) {
      problems.push(`the server accepted a wrong password for "${username}": the login check proves nothing`);
    }
  }

  const loop = input.loginLoop;
  if (loop && loop.refusals.length > 0) {
    const versionsRefused = [...new Set(loop.refusals.map((refusal) => refusal.versionId))].join(', ');
    problems.push(
      `AWSCURRENT was refused ${loop.refusals.length} of ${loop.attempts} times during the case (version ${versionsRefused})`,
    );
  }

  problems.push(...(await unlabelledCredentials(target, versions)));
  if (target.controlPlaneProblems) problems.push(...(await target.controlPlaneProblems(versions)));
  return problems;
}

/** Every credential the server holds must be opened by AWSCURRENT, AWSPENDING or AWSPREVIOUS. */
async function unlabelledCredentials(
  target: PreparedTarget,
  versions: SecretVersionView[],
): Promise<string[]> {
  const problems: string[] = [];
  const labelled = versions.filter((version) => LABELS.some((label) => version.stages.includes(label)));
  for (const user of await target.heldCredentials()) {
    const ofUser = (candidates: SecretVersionView[]) =>
      candidates.filter((version) => stringField(version.value, 'username') === user.username);
    for (const credential of user.credentials) {
      const opensIt = (version: SecretVersionView) => {
        const candidate = stringField(version.value, 'password');
        return candidate !== undefined && credential.opens(candidate);
      };
      if (ofUser(labelled).some(opensIt)) continue;
      const unlabelled = ofUser(versions).filter(
        (version) => version.stages.length === 0 && opensIt(version),
      );
      problems.push(
        unlabelled.length > 0
          ? `user "${user.username}": a password the server accepts is held only by version ${unlabelled.map((v) => v.versionId).join(', ')}, which carries no label (${credential.describe})`
          : `user "${user.username}": the server holds a password no version of the secret has (${credential.describe})`,
      );
    }
  }
  return problems;
}
