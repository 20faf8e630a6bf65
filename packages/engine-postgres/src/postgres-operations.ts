/**
 * The engine's operations on PostgreSQL roles, as plain functions of the runtime (options, RDS lookup), the
 * request and the step context. Passwords travel only as SCRAM-SHA-256 verifiers computed here, never in
 * statement text; identifiers are quoted with node-postgres' `escapeIdentifier`.
 */
import {
  type ChangeResult,
  type CloneUserRequest,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginResult,
  type PreflightResult,
  type SetPasswordsRequest,
  type StepContext,
  UserNotFoundError,
  type UserRequest,
} from '@rotor/core/engine';
import pg from 'pg';
import { connect, type SqlClient, toRotationError } from './postgres-client.js';
import {
  connectAdmin,
  connectForChange,
  loginOf,
  type PostgresRuntime,
  trustedEndpoint,
  within,
} from './postgres-connections.js';
import type { PostgresSettings } from './postgres-options.js';
import { type PostgresSecret, portOf } from './postgres-secret.js';
import { SCRAM_VERIFIER_PATTERN, scramSha256Verifier, verifierProblem } from './scram.js';

const { escapeIdentifier } = pg;

/** Before anything is written: where the secret would send credentials, and with what TLS. */
export async function preflight(
  runtime: PostgresRuntime,
  { user }: UserRequest<PostgresSecret>,
  context: StepContext,
): Promise<PreflightResult> {
  trustedEndpoint(runtime.settings, { host: user.host, port: portOf(user) }, user, context);
  return { status: 'ready' };
}

export async function login(
  runtime: PostgresRuntime,
  { user }: UserRequest<PostgresSecret>,
  context: StepContext,
): Promise<LoginResult> {
  const { settings } = runtime;
  if (user.password === undefined) return { status: 'rejected', reason: 'the secret has no password' };
  const outcome = await connect(
    settings.clientFactory,
    loginOf(settings, user, user.password, context),
    within(settings, context),
    context.step,
  );
  if (outcome.kind === 'rejected') return { status: 'rejected', reason: outcome.reason };
  await withClient(outcome.client, (client) =>
    query(client, 'SELECT 1', [], `checking the login of "${user.username}"`, context),
  );
  return { status: 'accepted' };
}

export async function setPasswords(
  runtime: PostgresRuntime,
  { user, passwords, principal }: SetPasswordsRequest<PostgresSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  const [password] = passwords;
  if (passwords.length !== 1 || password === undefined) {
    throw new InvalidConfigurationError(
      `A PostgreSQL role holds exactly one password (got ${passwords.length}): use the single-user or alternating-users strategy`,
      { step: context.step },
    );
  }
  const verifier = verifierFor(runtime.settings, password, context);
  const connection = await connectForChange(runtime, user, password, principal, context);
  if (connection === 'already-applied') {
    context.logger.info(`The new password of "${user.username}" already logs in; nothing to change`);
    return { status: 'unchanged' };
  }
  await withClient(connection, async (client) => {
    if (principal.kind === 'admin') await requireRole(client, user.username, context);
    await query(
      client,
      `ALTER ROLE ${escapeIdentifier(user.username)} PASSWORD '${verifier}'`,
      [],
      `setting the password of "${user.username}"`,
      context,
    );
  });
  context.logger.info(`Set a new SCRAM-SHA-256 verifier for "${user.username}" (as ${principal.kind})`);
  return { status: 'changed' };
}

/**
 * With the admin from `masterarn`: creates (or updates) the alternate role with the source's attributes and
 * memberships and the pending password's verifier, in one transaction.
 */
export async function cloneUser(
  runtime: PostgresRuntime,
  { source, target, principal }: CloneUserRequest<PostgresSecret>,
  context: StepContext,
): Promise<ChangeResult> {
  if (principal.kind !== 'admin') {
    throw new InvalidConfigurationError(
      'Creating the alternate role needs the admin secret named by "masterarn" (a role with CREATEROLE)',
      { step: context.step },
    );
  }
  if (target.password === undefined) {
    throw new InvalidSecretError(`The secret for "${target.username}" has no password`, {
      step: context.step,
    });
  }
  const verifier = verifierFor(runtime.settings, target.password, context);
  const client = await connectAdmin(runtime, principal.admin, source, context);
  return withClient(client, async () => {
    await query(client, 'BEGIN', [], 'starting a transaction', context);
    try {
      const role = await requireRole(client, source.username, context);
      const { rows: memberships } = await query(
        client,
        `SELECT r.rolname, m.admin_option FROM pg_catalog.pg_auth_members m
           JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
          WHERE m.member = $1 ORDER BY r.rolname`,
        [role.oid],
        `reading the memberships of "${source.username}"`,
        context,
      );
      const { rows: existing } = await query(
        client,
        'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1',
        [target.username],
        `looking up role "${target.username}"`,
        context,
      );
      const attributes = [
        'LOGIN',
        role.rolinherit ? 'INHERIT' : 'NOINHERIT',
        role.rolcreatedb ? 'CREATEDB' : 'NOCREATEDB',
        `CONNECTION LIMIT ${Number(role.rolconnlimit)}`,
      ].join(' ');
      const verb = existing.length > 0 ? 'ALTER' : 'CREATE';
      await query(
        client,
        `${verb} ROLE ${escapeIdentifier(target.username)} WITH ${attributes} PASSWORD '${verifier}'`,
        [],
        `${verb === 'CREATE' ? 'creating' : 'updating'} role "${target.username}"`,
        context,
      );
      for (const membership of memberships) {
        // GRANT of a membership the role already has is a no-op (a NOTICE), so repeating is safe.
        await query(
          client,
          `GRANT ${escapeIdentifier(String(membership.rolname))} TO ${escapeIdentifier(target.username)}${membership.admin_option ? ' WITH ADMIN OPTION' : ''}`,
          [],
          `granting "${String(membership.rolname)}" to "${target.username}"`,
          context,
        );
      }
      await query(client, 'COMMIT', [], 'committing', context);
      context.logger.info(
        `${verb === 'CREATE' ? 'Created' : 'Updated'} role "${target.username}" like "${source.username}" (${memberships.length} memberships)`,
      );
      return { status: verb === 'CREATE' ? 'created' : 'changed' };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/** The verifier for `password`; refuses passwords whose verifier clients could not match. */
function verifierFor(settings: PostgresSettings, password: string, context: StepContext): string {
  const problem = verifierProblem(password);
  if (problem) throw new InvalidSecretError(`Cannot set this password: ${problem}`, { step: context.step });
  const verifier = scramSha256Verifier(password, { iterations: settings.scramIterations });
  // The verifier goes inside a quoted literal: make sure it can never close the quote.
  if (!SCRAM_VERIFIER_PATTERN.test(verifier)) throw new Error('internal: malformed SCRAM verifier');
  return verifier;
}

/** Runs `work` on a connection, always closing it. */
async function withClient<T>(client: SqlClient, work: (client: SqlClient) => Promise<T>): Promise<T> {
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function query(
  client: SqlClient,
  text: string,
  values: unknown[],
  doing: string,
  context: StepContext,
) {
  try {
    return await client.query(text, values);
  } catch (error) {
    throw toRotationError(error, doing, context.step);
  }
}

async function requireRole(client: SqlClient, username: string, context: StepContext) {
  const { rows } = await query(
    client,
    'SELECT oid, rolinherit, rolcreatedb, rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = $1',
    [username],
    `looking up role "${username}"`,
    context,
  );
  const role = rows[0];
  if (!role) throw new UserNotFoundError(`Role "${username}" does not exist`, { step: context.step });
  return role as { oid: number; rolinherit: boolean; rolcreatedb: boolean; rolconnlimit: number };
}
