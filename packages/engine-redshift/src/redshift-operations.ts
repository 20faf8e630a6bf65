/**
 * The engine's operations on Redshift users, as plain functions of the runtime, the request and the step
 * context. Passwords reach the server only as md5 hashes (sql.ts); logins are real pg logins at trusted
 * endpoints, or `skipped` with the Data API and `loginCheck: 'none'`.
 */
import {
  type AlternateUserResult,
  type ChangeResult,
  type CloneUserRequest,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginResult,
  type PreflightResult,
  type SetPasswordsRequest,
  type StepContext,
  toggleCloneSuffix,
  UserNotFoundError,
  type UserRequest,
} from '@rotor/core/engine';
import { detectDialect, readPrivileges, readUserFacts, userExists } from './catalog.js';
import { buildClonePlan } from './clone-plan.js';
import { tryPgLogin } from './pg-transport.js';
import { type RedshiftSecret, usernameProblem } from './redshift-secret.js';
import {
  changeAlreadyApplied,
  dataApiTarget,
  describeTransport,
  openAs,
  pgSettings,
  principalConnection,
  type RedshiftRuntime,
  trustedLogin,
} from './redshift-sessions.js';
import { alterUserPassword } from './sql.js';
import { withSession } from './transport.js';

/** The alternate user (`_clone` toggled), refused when Redshift could not hold its name. */
export function alternateUser({
  user: current,
}: UserRequest<RedshiftSecret>): AlternateUserResult<RedshiftSecret> {
  const username = toggleCloneSuffix(current.username);
  const problem = usernameProblem(username);
  if (problem) {
    throw new InvalidSecretError(`The alternate user of "${current.username}" cannot be created: ${problem}`);
  }
  return { fields: { username } };
}

/** Before anything is written: the names and ARNs the secret gives, and where it would connect. */
export async function preflight(
  runtime: RedshiftRuntime,
  { user: secret }: UserRequest<RedshiftSecret>,
  context: StepContext,
): Promise<PreflightResult> {
  if (runtime.options.transport === 'data-api') dataApiTarget(runtime, secret, context);
  else runtime.endpoints.target(secret, context);
  if (runtime.logsInDirectly) await runtime.endpoints.endpoint(secret, context);
  return { status: 'ready' };
}

export async function login(
  runtime: RedshiftRuntime,
  { user }: UserRequest<RedshiftSecret>,
  context: StepContext,
): Promise<LoginResult> {
  if (user.password === undefined) return { status: 'rejected', reason: 'the secret has no password' };
  if (!runtime.logsInDirectly) {
    return {
      status: 'skipped',
      reason:
        'the Redshift Data API authenticates with a stored secret or IAM, never with a given password, so it cannot prove one (dataApi.loginCheck is "none"; "pg" logs in directly where the function can reach the cluster)',
    };
  }
  const result = await tryPgLogin(await trustedLogin(runtime, user, context), pgSettings(runtime, context));
  if (result.accepted) return { status: 'accepted' };
  context.logger.debug(`Login as "${user.username}" refused`);
  return { status: 'rejected', reason: result.reason };
}

export async function setPasswords(
  runtime: RedshiftRuntime,
  { user, passwords, principal }: SetPasswordsRequest<RedshiftSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  const password = onePassword(passwords);
  const who = await principalConnection(runtime, principal, user, context);
  const statements = [alterUserPassword(user.username, password)];
  const idempotencyKey = `${context.clientRequestToken}:set-password:${user.username}`;
  try {
    await withSession(
      () => openAs(runtime, who, user, context),
      (session) => session.transaction(statements, { idempotencyKey }),
    );
  } catch (error) {
    // A retried call whose first attempt already changed the password: the user can no longer log in
    // with the old one. The new one logs in (or, without direct logins, the first statement is on record).
    const refusedSelf =
      principal.kind === 'self' && (error as { code?: string }).code === 'CREDENTIAL_REJECTED';
    if (
      refusedSelf &&
      (await changeAlreadyApplied(runtime, who, user, password, statements, idempotencyKey, context))
    ) {
      context.logger.info(`The password of "${user.username}" was already changed; nothing to do`);
      return { status: 'unchanged' };
    }
    throw error;
  }
  context.logger.info(
    `Changed the password of "${user.username}" as ${principal.kind === 'self' ? 'the user itself' : 'the admin'} over ${describeTransport(runtime.options, who.dataApi)}`,
  );
  return { status: 'changed' };
}

export async function cloneUser(
  runtime: RedshiftRuntime,
  { source, target, principal }: CloneUserRequest<RedshiftSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  const { options } = runtime;
  if (principal.kind !== 'admin') {
    throw new InvalidConfigurationError(
      'Alternating users needs an admin secret ("masterarn") to create and change the second user',
    );
  }
  if (target.password === undefined) {
    throw new InvalidSecretError(`The pending secret of "${target.username}" has no password`);
  }
  const targetPassword = target.password;
  const who = await principalConnection(runtime, principal, source, context);
  return withSession(
    () => openAs(runtime, who, source, context),
    async (session): Promise<ChangeResult> => {
      // Later rotations only change the password (AWS's behaviour): one catalog query, one statement.
      if (options.copyPrivileges === 'on-create' && (await userExists(session, target.username))) {
        await session.transaction([alterUserPassword(target.username, targetPassword)], {
          idempotencyKey: `${context.clientRequestToken}:set-password:${target.username}`,
        });
        context.logger.info(`Changed the password of existing alternate user "${target.username}"`);
        return { status: 'changed' };
      }
      const dialect = options.dialect === 'auto' ? await detectDialect(session) : options.dialect;
      const sourceFacts = await readUserFacts(session, dialect, source.username);
      if (!sourceFacts) {
        throw new UserNotFoundError(
          `User "${source.username}" (the AWSCURRENT user) does not exist, so it cannot be cloned`,
          { step: context.step },
        );
      }
      const targetFacts = await readUserFacts(session, dialect, target.username);
      const plan = buildClonePlan({
        dialect,
        source: sourceFacts,
        target: { name: target.username, password: targetPassword },
        existingTarget: targetFacts,
        privileges: await readPrivileges(session, source.username),
      });
      for (const note of plan.notes) context.logger.warn(note);
      await session.transaction(plan.statements, {
        idempotencyKey: `${context.clientRequestToken}:clone:${target.username}`,
      });
      const { groups, roles, settings, grants } = plan.summary;
      context.logger.info(
        `${targetFacts ? 'Updated' : 'Created'} alternate user "${target.username}" like "${source.username}" (${dialect}): ${groups} groups, ${roles} roles, ${settings} settings, ${grants} grants`,
      );
      return { status: targetFacts ? 'changed' : 'created' };
    },
  );
}

function onePassword(passwords: readonly string[]): string {
  const [password] = passwords;
  if (passwords.length !== 1 || password === undefined) {
    throw new InvalidConfigurationError(
      `A Redshift user holds exactly one password; ${passwords.length} given`,
    );
  }
  return password;
}
