/**
 * `redshiftEngine(options)`: Rotor's engine for Amazon Redshift (provisioned and Serverless).
 *
 * Transports (docs/decisions/0040):
 * - `pg` (default): direct connections, TLS verified by default. Every step works, and logins are real:
 *   testSecret proves the pending password by logging in with it.
 * - `data-api`: statements go through the Redshift Data API as a stored secret (AWSCURRENT of the rotated
 *   secret for single-user, the `masterarn` secret for alternating users) or as a database user with
 *   temporary IAM credentials. The Data API cannot present a given password, so logins are reported as
 *   `skipped` unless `dataApi.loginCheck: 'pg'` asks for a direct login.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import {
  type AdminSecret,
  type CloneUserInput,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginOutcome,
  type Principal,
  type RotationEngine,
  type SetPasswordsInput,
  type StepContext,
  toggleCloneSuffix,
  UserNotFoundError,
} from '@rotor/core/engine';
import * as z from 'zod';
import { type Dialect, detectDialect, readPrivileges, readUserFacts, userExists } from './catalog.js';
import { buildClonePlan } from './clone-plan.js';
import {
  type DataApiIdentity,
  type DataApiTarget,
  describeIdentity,
  openDataApiSession,
} from './data-api-transport.js';
import { passwordOptionsSchema, redshiftPasswordPolicy } from './password-policy.js';
import { openPgSession, type PgConnectionSettings, type PgLogin, tryPgLogin } from './pg-transport.js';
import {
  DEFAULT_DATABASE,
  DEFAULT_PORT,
  type RedshiftSecret,
  redshiftSecretSchema,
  usernameProblem,
} from './redshift-secret.js';
import { alterUserPassword } from './sql.js';
import { type SqlSession, type StatementObserver, withSession } from './transport.js';

/**
 * Looks up host and port of a service-linked admin secret (tag `aws:redshift:primaryclusterarn` /
 * `aws:redshift-serverless:namespacearn`). Default: the Redshift and Redshift Serverless APIs.
 */
export type ServiceLinkedEndpointResolver = (
  admin: AdminSecret,
  user: { host: string },
  context: StepContext,
) => Promise<{ host: string; port: number } | undefined>;

/** The default resolver, loaded only when a Redshift-managed admin secret is met over pg. */
const awsServiceLinkedEndpoint: ServiceLinkedEndpointResolver = async (admin, user, context) => {
  const { lookUpServiceLinkedEndpoint } = await import('./service-linked-endpoint.js');
  return lookUpServiceLinkedEndpoint(admin, user, context);
};

const dataApiClientSchema = z.custom<RedshiftDataClient>(
  (value) => typeof (value as { send?: unknown } | null)?.send === 'function',
  'dataApi.client must be a RedshiftDataClient',
);

export const redshiftEngineOptionsSchema = z
  .object({
    transport: z.enum(['pg', 'data-api']).default('pg'),
    pg: z
      .object({
        /** `verify-full` (default) encrypts and checks the certificate and host name. */
        tls: z.enum(['verify-full', 'require', 'disable']).default('verify-full'),
        /** PEM bundle to trust (default: Node's roots, which include Amazon's). */
        ca: z.string().min(1).optional(),
        connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
        queryTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
      })
      .strict()
      .default({ tls: 'verify-full', connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 }),
    dataApi: z
      .object({
        client: dataApiClientSchema.optional(),
        /** Endpoint override when no client is given (AWS_ENDPOINT_URL_REDSHIFT_DATA works too). */
        endpoint: z.url().optional(),
        region: z.string().min(1).optional(),
        /** Provisioned cluster; default: the secret's `dbClusterIdentifier`, else the host's first label. */
        clusterIdentifier: z.string().min(1).optional(),
        /** Serverless workgroup; default: the secret's `workgroupName`, else the host's first label. */
        workgroupName: z.string().min(1).optional(),
        /** `secret-arn`: as the stored secret. `temporary-credentials`: as the database user, through IAM. */
        auth: z.enum(['secret-arn', 'temporary-credentials']).default('secret-arn'),
        /** `pg`: prove logins with a direct connection (needs network reach); `none`: report them skipped. */
        loginCheck: z.enum(['none', 'pg']).default('none'),
        statementTimeoutMs: z.number().int().min(1_000).max(900_000).default(60_000),
        /** First wait before DescribeStatement; grows 1.5x up to 2 s (most statements finish in well under a second). */
        pollIntervalMs: z.number().int().min(10).max(10_000).default(100),
      })
      .strict()
      .refine((value) => !(value.clusterIdentifier && value.workgroupName), {
        message: 'give clusterIdentifier or workgroupName, not both',
      })
      .default({ auth: 'secret-arn', loginCheck: 'none', statementTimeoutMs: 60_000, pollIntervalMs: 100 }),
    password: passwordOptionsSchema.default({
      length: 32,
      excludeCharacters: '/@"\'\\:',
      excludePunctuation: false,
      requireEachIncludedType: true,
    }),
    /** `auto` asks the server (`version()`); `postgresql` is the local stand-in used by tests. */
    dialect: z.enum(['auto', 'redshift', 'postgresql']).default('auto'),
    /**
     * `on-create` (AWS's behaviour): privileges are copied when the clone is created. `every-rotation`:
     * missing memberships and privileges are added again whenever the clone's password changes (additive).
     */
    copyPrivileges: z.enum(['on-create', 'every-rotation']).default('on-create'),
    serviceLinkedEndpoint: z
      .custom<ServiceLinkedEndpointResolver>((value) => typeof value === 'function')
      .optional(),
    /** Sees every statement text sent (for audits and tests); never sees a password. */
    onStatement: z.custom<StatementObserver>((value) => typeof value === 'function').optional(),
  })
  .strict();

export type RedshiftEngineOptions = z.input<typeof redshiftEngineOptionsSchema>;
type ResolvedOptions = z.output<typeof redshiftEngineOptionsSchema>;

/**
 * Creates the Redshift engine. Options are validated here (zod), and the password policy is checked against
 * Redshift's rules, so a bad configuration fails when the function starts.
 *
 * @example
 * ```ts
 * // Direct connections (VPC), TLS verified against Node's roots:
 * const engine = redshiftEngine({ password: passwordOptionsFromEnv(process.env) });
 * // The Data API, no VPC: statements run as the stored secrets, logins cannot be proven.
 * const viaDataApi = redshiftEngine({ transport: 'data-api', dataApi: { workgroupName: 'reporting' } });
 * ```
 */
export function redshiftEngine(options: RedshiftEngineOptions = {}): RotationEngine<RedshiftSecret> {
  const parsed = redshiftEngineOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `Invalid Redshift engine options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
    );
  }
  const resolved = parsed.data;
  const passwordPolicy = redshiftPasswordPolicy(resolved.password);
  /**
   * Connection settings for one step: no connect or statement timeout reaches past the point where core
   * aborts the step (`remainingTimeMs`), so a hung server gives a retryable error, not a killed Lambda.
   */
  const pgSettings = (context: StepContext): PgConnectionSettings => {
    const left = Math.max(MIN_PG_TIMEOUT_MS, context.remainingTimeMs());
    return {
      ...resolved.pg,
      connectTimeoutMs: Math.min(resolved.pg.connectTimeoutMs, left),
      queryTimeoutMs: Math.min(resolved.pg.queryTimeoutMs, left),
    };
  };
  let dataApiClient: RedshiftDataClient | undefined = resolved.dataApi.client;
  const dataClient = () => {
    dataApiClient ??= new RedshiftDataClient({
      ...(resolved.dataApi.endpoint ? { endpoint: resolved.dataApi.endpoint } : {}),
      ...(resolved.dataApi.region ? { region: resolved.dataApi.region } : {}),
    });
    return dataApiClient;
  };

  const openAs = (
    who: { login: PgLogin; dataApi: DataApiIdentity },
    secret: RedshiftSecret,
    context: StepContext,
  ): Promise<SqlSession> => {
    if (resolved.transport === 'pg')
      return openPgSession(who.login, pgSettings(context), resolved.onStatement);
    return Promise.resolve(
      openDataApiSession(
        {
          client: dataClient(),
          target: dataApiTarget(resolved, secret),
          identity: who.dataApi,
          database: who.login.database,
          statementTimeoutMs: resolved.dataApi.statementTimeoutMs,
          pollIntervalMs: resolved.dataApi.pollIntervalMs,
        },
        context,
        resolved.onStatement,
      ),
    );
  };

  /** The connection a principal acts through, with the confused-deputy checks of AWS's functions. */
  const principalConnection = async (
    principal: Principal<RedshiftSecret>,
    user: RedshiftSecret,
    context: StepContext,
  ) => {
    if (principal.kind === 'control-plane') {
      throw new InvalidConfigurationError(
        'Redshift passwords are changed through a database login, not a control plane',
      );
    }
    if (principal.kind === 'self') {
      const self = principal.secret;
      if (self.username !== user.username || !sameHost(self, user)) {
        throw new InvalidSecretError(
          `The secret used to log in ("${self.username}" at ${self.host}) is not the user being changed ("${user.username}" at ${user.host})`,
          { step: context.step },
        );
      }
      return {
        login: pgLogin(self),
        dataApi:
          resolved.dataApi.auth === 'secret-arn'
            ? { secretArn: context.secretId }
            : ({ dbUser: self.username } as DataApiIdentity),
      };
    }
    const admin = await adminLogin(principal.admin, user, resolved, context);
    return {
      login: admin,
      dataApi:
        resolved.dataApi.auth === 'secret-arn'
          ? { secretArn: principal.admin.secretId }
          : ({ dbUser: admin.username } as DataApiIdentity),
    };
  };

  const changeAlreadyApplied = async (
    who: { login: PgLogin; dataApi: DataApiIdentity },
    user: RedshiftSecret,
    password: string,
    statements: string[],
    idempotencyKey: string,
    context: StepContext,
  ): Promise<boolean> => {
    if (resolved.transport === 'pg') {
      return (await tryPgLogin({ ...pgLogin(user), password }, pgSettings(context))).accepted;
    }
    try {
      return await withSession(
        () => openAs(who, user, context),
        async (session) => (await session.committedEarlier?.(statements, idempotencyKey)) ?? false,
      );
    } catch (error) {
      // The history could not be read (e.g. no redshift-data:ListStatements): report the original refusal.
      context.logger.warn(
        `Could not check the Data API history for an earlier change: ${(error as Error).message}`,
      );
      return false;
    }
  };

  const dialectOf = async (session: SqlSession): Promise<Dialect> =>
    resolved.dialect === 'auto' ? detectDialect(session) : resolved.dialect;

  return defineEngine<RedshiftSecret>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'redshift',
    secretSchema: redshiftSecretSchema,
    passwordPolicy,
    capabilities: {
      maxPasswordsPerUser: 1,
      canCloneUsers: true,
      asyncChanges: false,
      changeAuthority: 'credentials',
    },

    alternateUser(current) {
      const username = toggleCloneSuffix(current.username);
      const problem = usernameProblem(username);
      if (problem) {
        throw new InvalidSecretError(
          `The alternate user of "${current.username}" cannot be created: ${problem}`,
        );
      }
      return { username };
    },

    async login(user, context): Promise<LoginOutcome> {
      if (user.password === undefined) return { status: 'rejected', reason: 'the secret has no password' };
      if (resolved.transport === 'data-api' && resolved.dataApi.loginCheck === 'none') {
        return {
          status: 'skipped',
          reason:
            'the Redshift Data API authenticates with a stored secret or IAM, never with a given password, so it cannot prove one (set dataApi.loginCheck to "pg" where the function can reach the cluster)',
        };
      }
      const result = await tryPgLogin(pgLogin(user), pgSettings(context));
      if (result.accepted) return { status: 'accepted' };
      context.logger.debug(`Login as "${user.username}" refused`);
      return { status: 'rejected', reason: result.reason };
    },

    async setPasswords({ user, passwords, principal }: SetPasswordsInput<RedshiftSecret>, context) {
      const password = onePassword(passwords);
      const who = await principalConnection(principal, user, context);
      const statements = [alterUserPassword(user.username, password)];
      const idempotencyKey = `${context.clientRequestToken}:set-password:${user.username}`;
      try {
        await withSession(
          () => openAs(who, user, context),
          (session) => session.transaction(statements, { idempotencyKey }),
        );
      } catch (error) {
        // A retried call whose first attempt already changed the password: the user can no longer log in
        // with the old one. Over pg the new one logs in; over the Data API the first statement is on record.
        const refusedSelf =
          principal.kind === 'self' && (error as { code?: string }).code === 'CREDENTIAL_REJECTED';
        if (
          refusedSelf &&
          (await changeAlreadyApplied(who, user, password, statements, idempotencyKey, context))
        ) {
          context.logger.info(`The password of "${user.username}" was already changed; nothing to do`);
          return;
        }
        throw error;
      }
      context.logger.info(
        `Changed the password of "${user.username}" as ${principal.kind === 'self' ? 'the user itself' : 'the admin'} over ${describeTransport(resolved, who.dataApi)}`,
      );
    },

    async cloneUser({ source, target, principal }: CloneUserInput<RedshiftSecret>, context) {
      if (principal.kind !== 'admin') {
        throw new InvalidConfigurationError(
          'Alternating users needs an admin secret ("masterarn") to create and change the second user',
        );
      }
      if (target.password === undefined) {
        throw new InvalidSecretError(`The pending secret of "${target.username}" has no password`);
      }
      const targetPassword = target.password;
      const who = await principalConnection(principal, source, context);
      await withSession(
        () => openAs(who, source, context),
        async (session) => {
          // Later rotations only change the password (AWS's behaviour): one catalog query, one statement.
          if (resolved.copyPrivileges === 'on-create' && (await userExists(session, target.username))) {
            await session.transaction([alterUserPassword(target.username, targetPassword)], {
              idempotencyKey: `${context.clientRequestToken}:set-password:${target.username}`,
            });
            context.logger.info(`Changed the password of existing alternate user "${target.username}"`);
            return;
          }
          const dialect = await dialectOf(session);
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
        },
      );
    },
  });
}

function onePassword(passwords: readonly string[]): string {
  if (passwords.length !== 1 || passwords[0] === undefined) {
    throw new InvalidConfigurationError(
      `A Redshift user holds exactly one password; ${passwords.length} given`,
    );
  }
  return passwords[0];
}

function pgLogin(secret: RedshiftSecret): PgLogin {
  if (secret.password === undefined) {
    throw new InvalidSecretError(`The secret of "${secret.username}" has no password`);
  }
  return {
    host: secret.host,
    port: secret.port === undefined ? DEFAULT_PORT : Number(secret.port),
    database: secret.dbname ?? DEFAULT_DATABASE,
    username: secret.username,
    password: secret.password,
  };
}

function sameHost(a: { host: string; port?: unknown }, b: { host: string; port?: unknown }): boolean {
  return (
    a.host.toLowerCase() === b.host.toLowerCase() &&
    Number(a.port ?? DEFAULT_PORT) === Number(b.port ?? DEFAULT_PORT)
  );
}

const adminSecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().min(1).optional(),
  port: z.union([z.number().int(), z.string().regex(/^\d{1,5}$/)]).optional(),
  engine: z.string().optional(),
});

/** Even with almost no time left, give a connection this long rather than fail at once. */
const MIN_PG_TIMEOUT_MS = 500;

const SERVICE_LINKED_TAGS = ['aws:redshift:primaryclusterarn', 'aws:redshift-serverless:namespacearn'];

/**
 * The admin's login. As in AWS's function the admin connects to the rotated user's database, and must be
 * on the same host: the admin password is never sent to a host that only the rotated secret names.
 * Service-linked admin secrets (Redshift-managed, username and password only) get host and port from
 * the cluster or workgroup named by their tag.
 */
async function adminLogin(
  admin: AdminSecret,
  user: RedshiftSecret,
  options: ResolvedOptions,
  context: StepContext,
): Promise<PgLogin> {
  const parsed = adminSecretSchema.safeParse(admin.value);
  if (!parsed.success) {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} needs "username" and "password" (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} invalid)`,
      { step: context.step },
    );
  }
  const value = parsed.data;
  if (value.engine !== undefined && value.engine !== 'redshift') {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} is for engine "${value.engine}", not redshift`,
      {
        step: context.step,
      },
    );
  }
  let endpoint: { host: string; port: number } | undefined = value.host
    ? { host: value.host, port: value.port === undefined ? DEFAULT_PORT : Number(value.port) }
    : undefined;
  const serviceLinked = SERVICE_LINKED_TAGS.some((tag) => admin.tags[tag]);
  if (!endpoint && serviceLinked) {
    if (options.transport === 'data-api') {
      // The Data API finds the cluster itself; the login below is only used for its database name.
      endpoint = { host: user.host, port: Number(user.port ?? DEFAULT_PORT) };
    } else {
      endpoint = await (options.serviceLinkedEndpoint ?? awsServiceLinkedEndpoint)(admin, user, context);
    }
  }
  if (!endpoint) {
    throw new InvalidSecretError(
      serviceLinked
        ? `The admin secret ${admin.secretId} is managed by Redshift, but its cluster or workgroup was not found`
        : `The admin secret ${admin.secretId} has no "host"`,
      { step: context.step },
    );
  }
  if (!sameHost(endpoint, user)) {
    throw new InvalidSecretError(
      `The admin secret ${admin.secretId} is for ${endpoint.host}:${endpoint.port}, but the user is on ${user.host}:${user.port ?? DEFAULT_PORT}; refusing to send admin credentials elsewhere`,
      { step: context.step },
    );
  }
  return {
    host: endpoint.host,
    port: endpoint.port,
    database: user.dbname ?? DEFAULT_DATABASE,
    username: value.username,
    password: value.password,
  };
}

/** The cluster or workgroup for the Data API: options, then the secret's fields, then the host name. */
export function dataApiTarget(options: ResolvedOptions, secret: RedshiftSecret): DataApiTarget {
  const { clusterIdentifier, workgroupName } = options.dataApi;
  if (clusterIdentifier) return { clusterIdentifier };
  if (workgroupName) return { workgroupName };
  if (typeof secret.dbClusterIdentifier === 'string' && secret.dbClusterIdentifier) {
    return { clusterIdentifier: secret.dbClusterIdentifier };
  }
  if (typeof secret.workgroupName === 'string' && secret.workgroupName) {
    return { workgroupName: secret.workgroupName };
  }
  const [label, ...rest] = secret.host.toLowerCase().split('.');
  const domain = rest.join('.');
  if (label && /\.redshift-serverless\.amazonaws\.com(\.cn)?$/.test(`.${domain}`))
    return { workgroupName: label };
  if (label && /\.redshift\.amazonaws\.com(\.cn)?$/.test(`.${domain}`)) return { clusterIdentifier: label };
  throw new InvalidConfigurationError(
    `The Data API needs a cluster identifier or workgroup name: set dataApi.clusterIdentifier / workgroupName, or "dbClusterIdentifier" / "workgroupName" in the secret (host ${secret.host} does not name one)`,
  );
}

function describeTransport(options: ResolvedOptions, identity: DataApiIdentity): string {
  return options.transport === 'pg' ? 'a direct connection' : `the Data API as ${describeIdentity(identity)}`;
}
