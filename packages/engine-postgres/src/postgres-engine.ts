/**
 * `postgresEngine(options)`: a Rotor engine for self-managed PostgreSQL (10+), written only against
 * `@rotor/core/engine`.
 *
 * - Passwords are sent as SCRAM-SHA-256 verifiers computed here (`ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'`),
 *   so the clear password never appears in statement text, server logs or pg_stat_statements.
 * - Single-user: the role changes its own password (any role may). Alternating users: the admin secret
 *   named by `masterarn` creates `<user>_clone` with the source's memberships and attributes.
 * - A role holds one password, so there is no dual-password strategy (docs/decisions/0050).
 * - Connections go only to `allowedHosts` from the function's configuration: a self-managed server has no
 *   control plane to ask, so the secret's host is used only when it is one of them (docs/decisions/0052).
 * - An RDS-managed master secret (no host; tagged with its DB instance or cluster ARN) is located with RDS's
 *   DescribeDBInstances / DescribeDBClusters, loaded lazily, and used only on the user's own server
 *   (docs/decisions/0083).
 */
import {
  type AdminSecret,
  assertArnInScope,
  assertSecretKeepsTls,
  CredentialRejectedError,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  findEndpoint,
  type HostPort,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginOutcome,
  type PasswordPolicy,
  PermissionDeniedError,
  type Principal,
  parseHostPort,
  type RotationEngine,
  type StepContext,
  type TlsMode,
  tlsForSecret,
  UserNotFoundError,
} from '@rotor/core/engine';
import * as z from 'zod';
import { passwordOptionsSchema, postgresPasswordPolicyFrom } from './password-options.js';
import {
  type ClientFactory,
  type ConnectionSettings,
  connect,
  defaultClientFactory,
  type Login,
  quoteIdent,
  type SqlClient,
  toRotationError,
} from './postgres-client.js';
import {
  DEFAULT_DATABASE,
  DEFAULT_PORT,
  type PostgresSecret,
  portOf,
  postgresAdminSecretSchema,
  postgresSecretSchema,
} from './postgres-secret.js';
import type { ManagedDatabase, RdsClientLike, RdsLookup } from './rds-lookup.js';
import {
  DEFAULT_SCRAM_ITERATIONS,
  SCRAM_VERIFIER_PATTERN,
  scramSha256Verifier,
  verifierProblem,
} from './scram.js';

/**
 * The default policy: 32 characters from letters, digits and punctuation, without the characters that break
 * connection URLs, .pgpass lines and shell quoting (`"'\/@:`), as AWS's RDS templates exclude `/@"'\`.
 */
export const postgresPasswordPolicy: PasswordPolicy = postgresPasswordPolicyFrom();

/** The tags Amazon RDS puts on the master user secrets it manages, with the kind of resource each names. */
const MANAGED_ADMIN_TAGS = [
  { tag: 'aws:rds:primaryDBInstanceArn', kind: 'instance', resource: 'db:' },
  { tag: 'aws:rds:primaryDBClusterArn', kind: 'cluster', resource: 'cluster:' },
] as const;

const clientFactorySchema = z.custom<ClientFactory>(
  (value) => typeof value === 'function',
  'clientFactory must be a function returning a pg Client',
);

export const postgresEngineOptionsSchema = z
  .object({
    /**
     * `host` or `host:port` (port 5432 by default) the engine may connect to. A secret naming any other host
     * is refused before anything connects; without this option every connection is refused.
     */
    allowedHosts: z.array(z.string().min(1)).min(1).optional(),
    /** `verify-full` (default) encrypts and checks the certificate and host name; `require` only encrypts. */
    tls: z.enum(['verify-full', 'require', 'disable']).default('verify-full'),
    /** PEM text or path of the CA bundle to trust (default: Node's roots). */
    ca: z.string().min(1).optional(),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    queryTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
    /** Iterations of the verifiers this engine writes (PostgreSQL's default is 4096). */
    scramIterations: z.number().int().min(4_096).max(1_000_000).default(DEFAULT_SCRAM_ITERATIONS),
    /** Database to connect to when the secret has no `dbname`. */
    defaultDatabase: z.string().min(1).default(DEFAULT_DATABASE),
    applicationName: z.string().min(1).max(63).default('rotor'),
    /** Creates the driver client (tests wrap node-postgres to observe statements). */
    clientFactory: clientFactorySchema.optional(),
    /** How new passwords are made: the settings of AWS's PostgreSQL functions (see password-options.ts). */
    password: passwordOptionsSchema.optional(),
    /** RDS lookups for RDS-managed master secrets: a client (tests) or the region (default: the SDK's). */
    rds: z
      .object({
        client: z
          .custom<RdsClientLike>(
            (value) => typeof (value as { send?: unknown })?.send === 'function',
            'rds.client must be an RDSClient',
          )
          .optional(),
        region: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PostgresEngineOptions = z.input<typeof postgresEngineOptionsSchema>;

export function postgresEngine(options: PostgresEngineOptions = {}): RotationEngine<PostgresSecret> {
  const parsed = postgresEngineOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `Invalid postgresEngine options: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}`,
    );
  }
  const config = parsed.data;
  const passwordPolicy = config.password
    ? postgresPasswordPolicyFrom(config.password)
    : postgresPasswordPolicy;
  const allowedHosts = config.allowedHosts?.map((entry) => parseHostPort(entry, DEFAULT_PORT));
  let rdsLookup: Promise<RdsLookup> | undefined;
  const loadRdsLookup = () => {
    rdsLookup ??= import('./rds-lookup.js').then(({ createRdsLookup }) =>
      createRdsLookup({ client: config.rds?.client, region: config.rds?.region }),
    );
    // A failed import is not remembered: the next step tries again.
    rdsLookup.catch(() => {
      rdsLookup = undefined;
    });
    return rdsLookup;
  };
  const factory = config.clientFactory ?? defaultClientFactory;
  const settings: ConnectionSettings = {
    tls: config.tls,
    ca: config.ca,
    connectTimeoutMs: config.connectTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
    applicationName: config.applicationName,
  };

  /**
   * Connection settings for one call: timeouts never outlast the time left before the Lambda deadline, so a
   * hung server ends the step with a (retryable) EngineUnavailableError while there is still time to report it.
   */
  const within = (context: StepContext): ConnectionSettings => {
    const remaining = context.remainingTimeMs();
    if (!Number.isFinite(remaining)) return settings;
    const cap = Math.max(100, Math.floor(remaining));
    return {
      ...settings,
      connectTimeoutMs: Math.min(settings.connectTimeoutMs, cap),
      queryTimeoutMs: Math.min(settings.queryTimeoutMs, cap),
    };
  };

  /**
   * The allowed endpoint a secret's host and port are, and the TLS to use there, or an error before anything
   * connects: a writer of the secret must not be able to send a password elsewhere, or ask for weaker TLS than
   * the function uses. It may ask for more (AWS's `ssl: true`), which is honoured.
   */
  const trustedEndpoint = (
    where: { host: string; port: number },
    secret: Record<string, unknown>,
    context: StepContext,
  ): HostPort & { tls: TlsMode } => {
    assertSecretKeepsTls(secret, config.tls, { setting: `TLS ${config.tls}`, step: context.step });
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
    return { ...allowed, tls: tlsForSecret(secret, config.tls) };
  };

  const loginOf = (secret: PostgresSecret, password: string, context: StepContext): Login => {
    const endpoint = trustedEndpoint({ host: secret.host, port: portOf(secret) }, secret, context);
    return {
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls,
      database: secret.dbname ?? config.defaultDatabase,
      user: secret.username,
      password,
    };
  };

  /** The verifier for `password`; refuses passwords whose verifier clients could not match. */
  const verifierFor = (password: string, context: StepContext): string => {
    const problem = verifierProblem(password);
    if (problem) throw new InvalidSecretError(`Cannot set this password: ${problem}`, { step: context.step });
    const verifier = scramSha256Verifier(password, { iterations: config.scramIterations });
    // The verifier goes inside a quoted literal: make sure it can never close the quote.
    if (!SCRAM_VERIFIER_PATTERN.test(verifier)) throw new Error('internal: malformed SCRAM verifier');
    return verifier;
  };

  /** Runs `work` on a connection, always closing it. */
  const withClient = async <T>(client: SqlClient, work: (client: SqlClient) => Promise<T>): Promise<T> => {
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => {});
    }
  };

  /** The DB instance or cluster an RDS-managed master secret's tag names, checked to be in the function's scope. */
  const managedDatabaseOf = (admin: AdminSecret, context: StepContext): ManagedDatabase | undefined => {
    const tagged = MANAGED_ADMIN_TAGS.filter(({ tag }) => admin.tags[tag] !== undefined);
    if (tagged.length === 0) return undefined;
    if (tagged.length > 1) {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} is tagged as the master secret of both a DB instance and a DB cluster`,
        { step: context.step },
      );
    }
    const { tag, kind, resource } = tagged[0]!;
    const label = `The tag ${tag} of admin secret ${admin.secretId}`;
    const arn = assertArnInScope(admin.tags[tag], context.functionScope, {
      label,
      service: 'rds',
      step: context.step,
    });
    if (!arn.resource.startsWith(resource) || arn.resource.length === resource.length) {
      throw new InvalidSecretError(`${label} names no DB ${kind} (${arn.resource})`, { step: context.step });
    }
    return { kind, arn: admin.tags[tag]! };
  };

  /** Where RDS says the managed master secret's database is; it must run PostgreSQL. */
  const managedAdminLocation = async (
    admin: AdminSecret,
    database: ManagedDatabase,
    context: StepContext,
  ): Promise<HostPort> => {
    const found = await (await loadRdsLookup()).endpointOf(database, context);
    if (!['postgres', 'aurora-postgresql'].includes(found.engine)) {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} belongs to the DB ${database.kind} ${database.arn}, which runs ${found.engine}, not PostgreSQL`,
        { step: context.step },
      );
    }
    return { host: found.host, port: found.port };
  };

  /** Connects as the admin secret's role (at the user's server unless the admin secret says otherwise). */
  const connectAdmin = async (
    admin: AdminSecret,
    near: PostgresSecret,
    context: StepContext,
  ): Promise<SqlClient> => {
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
    // An admin secret without a host works on the user's server; one RDS manages is located through RDS.
    const managed = value.host === undefined ? managedDatabaseOf(admin, context) : undefined;
    const where = managed
      ? await managedAdminLocation(admin, managed, context)
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
    const endpoint = trustedEndpoint(where, { ...value, ...near }, context);
    const outcome = await connect(
      factory,
      {
        host: endpoint.host,
        port: endpoint.port,
        tls: endpoint.tls,
        database: value.dbname ?? near.dbname ?? config.defaultDatabase,
        user: value.username,
        password: value.password,
      },
      within(context),
      context.step,
    );
    if (outcome.kind === 'rejected') {
      throw new CredentialRejectedError(
        `The admin "${value.username}" from ${admin.secretId} cannot log in: ${outcome.reason}`,
        {
          step: context.step,
        },
      );
    }
    return outcome.client;
  };

  const query = async (
    client: SqlClient,
    text: string,
    values: unknown[],
    doing: string,
    context: StepContext,
  ) => {
    try {
      return await client.query(text, values);
    } catch (error) {
      throw toRotationError(error, doing, context.step);
    }
  };

  const requireRole = async (client: SqlClient, username: string, context: StepContext) => {
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
  };

  /** Connects as the principal to change `user`, or reports that a retried change already took effect. */
  const connectForChange = async (
    user: PostgresSecret,
    password: string,
    principal: Principal<PostgresSecret>,
    context: StepContext,
  ): Promise<SqlClient | 'already-applied'> => {
    if (principal.kind === 'control-plane') {
      throw new InvalidConfigurationError(
        'PostgreSQL roles are changed with credentials, not a control plane',
        {
          step: context.step,
        },
      );
    }
    if (principal.kind === 'admin') {
      const client = await connectAdmin(principal.admin, user, context);
      try {
        await requireRole(client, user.username, context);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      return client;
    }
    if (principal.secret.username !== user.username) {
      throw new PermissionDeniedError(
        `"${principal.secret.username}" may only change its own password, not "${user.username}"'s`,
        { step: context.step },
      );
    }
    const self = await connect(
      factory,
      loginOf(principal.secret, principal.secret.password ?? '', context),
      within(context),
      context.step,
    );
    if (self.kind === 'connected') return self.client;
    // A retry after a change that succeeded: the new password already logs in, so there is nothing to do.
    const retried = await connect(factory, loginOf(user, password, context), within(context), context.step);
    if (retried.kind === 'connected') {
      await retried.client.end().catch(() => {});
      return 'already-applied';
    }
    throw new CredentialRejectedError(
      `Cannot log in as "${user.username}" with its current password to change it: ${self.reason}`,
      { step: context.step },
    );
  };

  return defineEngine<PostgresSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'postgres',
    secretSchema: postgresSecretSchema,
    passwordPolicy,
    capabilities: {
      maxPasswordsPerUser: 1,
      canCloneUsers: true,
      asyncChanges: false,
      changeAuthority: 'credentials',
    },

    /** Before anything is written: where the secret would send credentials, and with what TLS. */
    async preflight({ secret }, context) {
      trustedEndpoint({ host: secret.host, port: portOf(secret) }, secret, context);
    },

    async login(user, context): Promise<LoginOutcome> {
      if (user.password === undefined) return { status: 'rejected', reason: 'the secret has no password' };
      const outcome = await connect(
        factory,
        loginOf(user, user.password, context),
        within(context),
        context.step,
      );
      if (outcome.kind === 'rejected') return { status: 'rejected', reason: outcome.reason };
      await withClient(outcome.client, (client) =>
        query(client, 'SELECT 1', [], `checking the login of "${user.username}"`, context),
      );
      return { status: 'accepted' };
    },

    async setPasswords({ user, passwords, principal }, context) {
      if (passwords.length !== 1) {
        throw new InvalidConfigurationError(
          `A PostgreSQL role holds exactly one password (got ${passwords.length}): use the single-user or alternating-users strategy`,
          { step: context.step },
        );
      }
      const password = passwords[0]!;
      const verifier = verifierFor(password, context);
      const connection = await connectForChange(user, password, principal, context);
      if (connection === 'already-applied') {
        context.logger.info(`The new password of "${user.username}" already logs in; nothing to change`);
        return;
      }
      await withClient(connection, (client) =>
        query(
          client,
          `ALTER ROLE ${quoteIdent(user.username)} PASSWORD '${verifier}'`,
          [],
          `setting the password of "${user.username}"`,
          context,
        ),
      );
      context.logger.info(`Set a new SCRAM-SHA-256 verifier for "${user.username}" (as ${principal.kind})`);
    },

    async cloneUser({ source, target, principal }, context) {
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
      const verifier = verifierFor(target.password, context);
      const client = await connectAdmin(principal.admin, source, context);
      await withClient(client, async () => {
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
            `${verb} ROLE ${quoteIdent(target.username)} WITH ${attributes} PASSWORD '${verifier}'`,
            [],
            `${verb === 'CREATE' ? 'creating' : 'updating'} role "${target.username}"`,
            context,
          );
          for (const membership of memberships) {
            // GRANT of a membership the role already has is a no-op (a NOTICE), so repeating is safe.
            await query(
              client,
              `GRANT ${quoteIdent(String(membership.rolname))} TO ${quoteIdent(target.username)}${membership.admin_option ? ' WITH ADMIN OPTION' : ''}`,
              [],
              `granting "${String(membership.rolname)}" to "${target.username}"`,
              context,
            );
          }
          await query(client, 'COMMIT', [], 'committing', context);
          context.logger.info(
            `${verb === 'CREATE' ? 'Created' : 'Updated'} role "${target.username}" like "${source.username}" (${memberships.length} memberships)`,
          );
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },
  });
}
