/**
 * Where and as whom the engine connects: only to an allowed host (decision 0052), with at least the
 * function's TLS, as the user itself or as the admin secret named by `masterarn` (on the user's own server;
 * an RDS-managed master secret is located through RDS, decision 0083).
 */
import {
  type AdminSecret,
  assertArnInScope,
  assertSecretKeepsTls,
  CredentialRejectedError,
  findEndpoint,
  type HostPort,
  InvalidConfigurationError,
  InvalidSecretError,
  PermissionDeniedError,
  type Principal,
  type StepContext,
  type TlsMode,
  tlsForSecret,
} from '@rotor/core/engine';
import { type ConnectionSettings, connect, type Login, type SqlClient } from './postgres-client.js';
import type { PostgresSettings } from './postgres-options.js';
import { type PostgresSecret, portOf, postgresAdminSecretSchema } from './postgres-secret.js';
import type { ManagedDatabase, RdsLookup } from './rds-lookup.js';

/** What the operations work with: the parsed options, and the RDS lookup (loaded on first use). */
export interface PostgresRuntime {
  settings: PostgresSettings;
  rdsLookup(): Promise<RdsLookup>;
}

/** The tags Amazon RDS puts on the master user secrets it manages, with the kind of resource each names. */
const MANAGED_ADMIN_TAGS = [
  { tag: 'aws:rds:primaryDBInstanceArn', kind: 'instance', resource: 'db:' },
  { tag: 'aws:rds:primaryDBClusterArn', kind: 'cluster', resource: 'cluster:' },
] as const;

/**
 * Connection settings for one call: timeouts never outlast the time left before the Lambda deadline, so a
 * hung server ends the step with a (retryable) EngineUnavailableError while there is still time to report it.
 */
export function within(settings: PostgresSettings, context: StepContext): ConnectionSettings {
  const remaining = context.remainingTimeMs();
  if (!Number.isFinite(remaining)) return settings.connection;
  const cap = Math.max(100, Math.floor(remaining));
  return {
    ...settings.connection,
    connectTimeoutMs: Math.min(settings.connection.connectTimeoutMs, cap),
    queryTimeoutMs: Math.min(settings.connection.queryTimeoutMs, cap),
  };
}

/**
 * The allowed endpoint a secret's host and port are, and the TLS to use there, or an error before anything
 * connects: a writer of the secret must not be able to send a password elsewhere, or ask for weaker TLS than
 * the function uses. It may ask for more (AWS's `ssl: true`), which is honoured.
 */
export function trustedEndpoint(
  settings: PostgresSettings,
  where: { host: string; port: number },
  secret: Record<string, unknown>,
  context: StepContext,
): HostPort & { tls: TlsMode } {
  assertSecretKeepsTls(secret, settings.tls, { setting: `TLS ${settings.tls}`, step: context.step });
  const { allowedHosts } = settings;
  if (!allowedHosts) {
    throw new InvalidConfigurationError(
      'The PostgreSQL engine has no allowed hosts (option allowedHosts; ROTOR_PG_ALLOWED_HOSTS in the Lambda app), so it connects nowhere',
      { step: context.step },
    );
  }
  const allowed = findEndpoint(allowedHosts, where);
  if (!allowed) {
    throw new InvalidSecretError(
      `The secret's host ${where.host}:${where.port} is not one of this function's allowed hosts (${allowedHosts.map((h) => `${h.host}:${h.port}`).join(', ')}); refusing to send credentials there`,
      { step: context.step },
    );
  }
  return { ...allowed, tls: tlsForSecret(secret, settings.tls) };
}

/** The login of a secret's user with `password`, at the trusted endpoint its host is. */
export function loginOf(
  settings: PostgresSettings,
  secret: PostgresSecret,
  password: string,
  context: StepContext,
): Login {
  const endpoint = trustedEndpoint(settings, { host: secret.host, port: portOf(secret) }, secret, context);
  return {
    host: endpoint.host,
    port: endpoint.port,
    tls: endpoint.tls,
    database: secret.dbname ?? settings.defaultDatabase,
    user: secret.username,
    password,
  };
}

/** The DB instance or cluster an RDS-managed master secret's tag names, checked to be in the function's scope. */
async function managedDatabaseOf(
  admin: AdminSecret,
  context: StepContext,
): Promise<ManagedDatabase | undefined> {
  const tags = await admin.readTags();
  const tagged = MANAGED_ADMIN_TAGS.flatMap((entry) => {
    const value = tags[entry.tag];
    return value === undefined ? [] : [{ ...entry, value }];
  });
  const [first] = tagged;
  if (!first) return undefined;
  if (tagged.length > 1) {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} is tagged as the master secret of both a DB instance and a DB cluster`,
      { step: context.step },
    );
  }
  const { tag, kind, resource, value } = first;
  const label = `The tag ${tag} of admin secret ${admin.secretId}`;
  const arn = assertArnInScope(value, context.functionScope, {
    label,
    service: 'rds',
    step: context.step,
  });
  if (!arn.resource.startsWith(resource) || arn.resource.length === resource.length) {
    throw new InvalidSecretError(`${label} names no DB ${kind} (${arn.resource})`, { step: context.step });
  }
  return { kind, arn: value };
}

/** Where RDS says the managed master secret's database is; it must run PostgreSQL. */
async function managedAdminLocation(
  runtime: PostgresRuntime,
  admin: AdminSecret,
  database: ManagedDatabase,
  context: StepContext,
): Promise<HostPort> {
  const found = await (await runtime.rdsLookup()).endpointOf(database, context);
  if (!['postgres', 'aurora-postgresql'].includes(found.engine)) {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} belongs to the DB ${database.kind} ${database.arn}, which runs ${found.engine}, not PostgreSQL`,
      { step: context.step },
    );
  }
  return { host: found.host, port: found.port };
}

/** Connects as the admin secret's role (at the user's server unless the admin secret says otherwise). */
export async function connectAdmin(
  runtime: PostgresRuntime,
  admin: AdminSecret,
  near: PostgresSecret,
  context: StepContext,
): Promise<SqlClient> {
  const { settings } = runtime;
  const parsedAdmin = postgresAdminSecretSchema.safeParse(admin.value);
  if (!parsedAdmin.success) {
    const fields = [...new Set(parsedAdmin.error.issues.map((issue) => issue.path.join('.') || 'value'))];
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} is invalid (fields: ${fields.join(', ')})`,
      {
        step: context.step,
      },
    );
  }
  const value = parsedAdmin.data;
  // An admin secret without a host works on the user's server; one RDS manages (its tags say) is located
  // through RDS. Tags cost a DescribeSecret, so only a secret without a host is asked for them.
  const managed = value.host === undefined ? await managedDatabaseOf(admin, context) : undefined;
  const where = managed
    ? await managedAdminLocation(runtime, admin, managed, context)
    : {
        host: value.host ?? near.host,
        port: value.port === undefined ? portOf(near) : Number(value.port),
      };
  // As in AWS's functions, the admin works on the user's own server, never another one.
  if (!findEndpoint([{ host: near.host, port: portOf(near) }], where)) {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} is for ${where.host}:${where.port}, but the user is on ${near.host}:${portOf(near)}; refusing to send admin credentials elsewhere`,
      { step: context.step },
    );
  }
  const endpoint = trustedEndpoint(settings, where, { ...value, ...near }, context);
  const outcome = await connect(
    settings.clientFactory,
    {
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls,
      database: value.dbname ?? near.dbname ?? settings.defaultDatabase,
      user: value.username,
      password: value.password,
    },
    within(settings, context),
    context.step,
  );
  if (outcome.kind === 'rejected') {
    throw new CredentialRejectedError(
      `The admin "${value.username}" from ${admin.secretId} cannot log in: ${outcome.reason}`,
      { step: context.step },
    );
  }
  return outcome.client;
}

/**
 * Connects as the principal to change `user`, or reports that a retried change already took effect (the
 * user's old password is refused and the new one logs in). The admin's connection is returned as it is:
 * the caller checks the role exists.
 */
export async function connectForChange(
  runtime: PostgresRuntime,
  user: PostgresSecret,
  password: string,
  principal: Principal<PostgresSecret>,
  context: StepContext,
): Promise<SqlClient | 'already-applied'> {
  const { settings } = runtime;
  if (principal.kind === 'control-plane') {
    throw new InvalidConfigurationError(
      'PostgreSQL roles are changed with credentials, not a control plane',
      {
        step: context.step,
      },
    );
  }
  if (principal.kind === 'admin') return connectAdmin(runtime, principal.admin, user, context);
  if (principal.secret.username !== user.username) {
    throw new PermissionDeniedError(
      `"${principal.secret.username}" may only change its own password, not "${user.username}"'s`,
      { step: context.step },
    );
  }
  const self = await connect(
    settings.clientFactory,
    loginOf(settings, principal.secret, principal.secret.password ?? '', context),
    within(settings, context),
    context.step,
  );
  if (self.kind === 'connected') return self.client;
  // A retry after a change that succeeded: the new password already logs in, so there is nothing to do.
  const retried = await connect(
    settings.clientFactory,
    loginOf(settings, user, password, context),
    within(settings, context),
    context.step,
  );
  if (retried.kind === 'connected') {
    await retried.client.end().catch(() => {});
    return 'already-applied';
  }
  throw new CredentialRejectedError(
    `Cannot log in as "${user.username}" with its current password to change it: ${self.reason}`,
    { step: context.step },
  );
}
