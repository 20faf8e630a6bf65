/**
 * `redshiftEngine(options)`: Rotor's engine for Amazon Redshift (provisioned and Serverless).
 *
 * Transports (docs/decisions/0040):
 * - `pg` (default): direct connections, TLS verified by default. Every step works, and logins are real:
 *   testSecret proves the pending password by logging in with it.
 * - `data-api`: statements go through the Redshift Data API as a stored secret (AWSCURRENT of the rotated
 *   secret for single-user, the `masterarn` secret for alternating users) or as a database user with
 *   temporary IAM credentials. The Data API cannot present a given password, so logins are direct pg logins
 *   (`dataApi.loginCheck: 'pg'`, the default), or reported `skipped` with `loginCheck: 'none'`.
 *
 * Every direct connection goes to a trusted endpoint: an allowed host from the configuration, or one the
 * control plane reports for the cluster or workgroup; never simply the secret's `host` (docs/decisions/0043).
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import {
  type AdminSecret,
  assertArnInScope,
  type CloneUserInput,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  InvalidConfigurationError,
  InvalidSecretError,
  type LoginOutcome,
  type Principal,
  parseHostPort,
  type RotationEngine,
  type SetPasswordsInput,
  type StepContext,
  sameHost,
  toggleCloneSuffix,
  UserNotFoundError,
} from '@rotor/core/engine';
import * as z from 'zod';
import { type Dialect, detectDialect, readPrivileges, readUserFacts, userExists } from './catalog.js';
import { buildClonePlan } from './clone-plan.js';
import type { ControlPlane } from './control-plane.js';
import { type DataApiIdentity, describeIdentity, openDataApiSession } from './data-api-transport.js';
import { createEndpointResolver } from './endpoint-resolver.js';
import { passwordOptionsSchema, redshiftPasswordPolicy } from './password-policy.js';
import { openPgSession, type PgConnectionSettings, type PgLogin, tryPgLogin } from './pg-transport.js';
import {
  DEFAULT_DATABASE,
  DEFAULT_PORT,
  type RedshiftSecret,
  redshiftSecretSchema,
  secretPort,
  usernameProblem,
} from './redshift-secret.js';
import { describeTarget, type RedshiftTarget } from './redshift-target.js';
import { alterUserPassword } from './sql.js';
import { type SqlSession, type StatementObserver, withSession } from './transport.js';

const dataApiClientSchema = z.custom<RedshiftDataClient>(
  (value) => typeof (value as { send?: unknown } | null)?.send === 'function',
  'dataApi.client must be a RedshiftDataClient',
);

const sdkClientSchema = <T>(label: string) =>
  z.custom<T>(
    (value) => typeof (value as { send?: unknown } | null)?.send === 'function',
    `${label} must be an SDK client`,
  );

export const redshiftEngineOptionsSchema = z
  .object({
    transport: z.enum(['pg', 'data-api']).default('pg'),
    /**
     * Hosts (`host` or `host:port`, port 5439 by default) the function may connect to. When given, a secret's
     * host must be one of them and the control plane is not asked; otherwise the endpoints come from
     * DescribeClusters / GetWorkgroup for the cluster or workgroup.
     */
    allowedHosts: z.array(z.string().min(1)).min(1).optional(),
    /** The cluster this function rotates users of; a secret naming another is refused. */
    clusterIdentifier: z.string().min(1).optional(),
    /** The Serverless workgroup this function rotates users of; a secret naming another is refused. */
    workgroupName: z.string().min(1).optional(),
    /** Clients (or the region) for DescribeClusters / GetWorkgroup / GetNamespace. */
    controlPlane: z
      .object({
        redshift: sdkClientSchema<Pick<RedshiftClient, 'send'>>('controlPlane.redshift').optional(),
        serverless:
          sdkClientSchema<Pick<RedshiftServerlessClient, 'send'>>('controlPlane.serverless').optional(),
        region: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
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
        /**
         * `secret-arn`: as the stored secret. `temporary-credentials`: as the database user (DbUser), through
         * IAM; provisioned clusters only (Serverless derives the user from the IAM identity).
         */
        auth: z.enum(['secret-arn', 'temporary-credentials']).default('secret-arn'),
        /**
         * `pg` (default): prove logins with a direct connection to a trusted endpoint (needs network reach);
         * `none`: report them skipped, which fails testSecret unless the login test is off.
         */
        loginCheck: z.enum(['none', 'pg']).default('pg'),
        statementTimeoutMs: z.number().int().min(1_000).max(900_000).default(60_000),
        /** First wait before DescribeStatement; grows 1.5x up to 2 s (most statements finish in well under a second). */
        pollIntervalMs: z.number().int().min(10).max(10_000).default(100),
      })
      .strict()
      .default({ auth: 'secret-arn', loginCheck: 'pg', statementTimeoutMs: 60_000, pollIntervalMs: 100 }),
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
    /** Sees every statement text sent (for audits and tests); never sees a password. */
    onStatement: z.custom<StatementObserver>((value) => typeof value === 'function').optional(),
  })
  .strict()
  .refine((value) => !(value.clusterIdentifier && value.workgroupName), {
    message: 'give clusterIdentifier or workgroupName, not both',
  });

export type RedshiftEngineOptions = z.input<typeof redshiftEngineOptionsSchema>;
type ResolvedOptions = z.output<typeof redshiftEngineOptionsSchema>;

/**
 * Creates the Redshift engine. Options are validated here (zod), and the password policy is checked against
 * Redshift's rules, so a bad configuration fails when the function starts.
 *
 * @example
 * ```ts
 * // Direct connections (VPC), TLS verified against Node's roots; endpoints from DescribeClusters:
 * const engine = redshiftEngine({ clusterIdentifier: 'analytics', password: passwordOptionsFromEnv(process.env) });
 * // The Data API for statements, direct logins to prove the passwords:
 * const viaDataApi = redshiftEngine({ transport: 'data-api', workgroupName: 'reporting' });
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
  const allowedHosts = resolved.allowedHosts?.map((entry) => parseHostPort(entry, DEFAULT_PORT));
  const configuredTarget: RedshiftTarget | undefined = resolved.clusterIdentifier
    ? { clusterIdentifier: resolved.clusterIdentifier }
    : resolved.workgroupName
      ? { workgroupName: resolved.workgroupName }
      : undefined;
  /** Whether logins are real pg logins (always over pg; over the Data API unless loginCheck is `none`). */
  const logsInDirectly = resolved.transport === 'pg' || resolved.dataApi.loginCheck === 'pg';
  let controlPlane: Promise<ControlPlane> | undefined;
  const loadControlPlane = () => {
    controlPlane ??= import('./control-plane.js').then(({ createControlPlane }) =>
      createControlPlane(resolved.controlPlane, resolved.controlPlane.region),
    );
    return controlPlane;
  };
  const endpoints = createEndpointResolver({
    allowedHosts,
    configuredTarget,
    tls: resolved.pg.tls,
    controlPlane: loadControlPlane,
  });
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
  /** The secret's login, at the trusted endpoint its host is (or an error before any connection). */
  const trustedLogin = async (secret: RedshiftSecret, context: StepContext): Promise<PgLogin> => {
    const endpoint = await endpoints.endpoint(secret, context);
    return { ...pgLogin(secret), host: endpoint.host, port: endpoint.port };
  };
  let dataApiClient: RedshiftDataClient | undefined = resolved.dataApi.client;
  const dataClient = () => {
    dataApiClient ??= new RedshiftDataClient({
      ...(resolved.dataApi.endpoint ? { endpoint: resolved.dataApi.endpoint } : {}),
      ...(resolved.dataApi.region ? { region: resolved.dataApi.region } : {}),
    });
    return dataApiClient;
  };
  /** The cluster or workgroup Data API statements go to. */
  const dataApiTarget = (secret: RedshiftSecret, context: StepContext): RedshiftTarget => {
    const target = endpoints.target(secret, context)?.target;
    if (!target) {
      throw new InvalidConfigurationError(
        `The Data API needs a cluster identifier or workgroup name: configure one, or put "dbClusterIdentifier" / "workgroupName" in the secret (host ${secret.host} does not name one)`,
        { step: context.step },
      );
    }
    return target;
  };

  const openAs = (
    who: { login: PgLogin; dataApi: DataApiIdentity },
    secret: RedshiftSecret,
    context: StepContext,
  ): Promise<SqlSession> => {
    if (resolved.transport === 'pg')
      return openPgSession(who.login, pgSettings(context), resolved.onStatement);
    const target = dataApiTarget(secret, context);
    if ('dbUser' in who.dataApi && 'workgroupName' in target) {
      // Serverless takes no DbUser; a statement without credentials would run as the IAM identity.
      throw new InvalidConfigurationError(
        'Temporary credentials (DbUser) work on provisioned clusters only; use the Data API with auth "secret-arn" on Redshift Serverless',
        { step: context.step },
      );
    }
    return Promise.resolve(
      openDataApiSession(
        {
          client: dataClient(),
          target,
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

  /**
   * The admin's login. As in AWS's function the admin connects to the rotated user's database on the user's
   * host, so the admin password goes only to the trusted endpoint the user is on. A Redshift-managed admin
   * secret (username and password only) must be Redshift's for that same cluster or workgroup.
   */
  const adminLogin = async (
    admin: AdminSecret,
    user: RedshiftSecret,
    context: StepContext,
  ): Promise<PgLogin> => {
    const parsedAdmin = adminSecretSchema.safeParse(admin.value);
    if (!parsedAdmin.success) {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} needs "username" and "password" (${parsedAdmin.error.issues.map((i) => i.path.join('.')).join(', ')} invalid)`,
        { step: context.step },
      );
    }
    const value = parsedAdmin.data;
    if (value.engine !== undefined && value.engine !== 'redshift') {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} is for engine "${value.engine}", not redshift`,
        { step: context.step },
      );
    }
    const tags = SERVICE_LINKED_TAGS.filter(([tag]) => admin.tags[tag] !== undefined);
    if (value.host) {
      if (!sameLocation({ host: value.host, port: value.port }, user)) {
        throw new InvalidSecretError(
          `The admin secret ${admin.secretId} is for ${value.host}:${value.port ?? DEFAULT_PORT}, but the user is on ${user.host}:${user.port ?? DEFAULT_PORT}; refusing to send admin credentials elsewhere`,
          { step: context.step },
        );
      }
    } else if (tags.length === 0) {
      throw new InvalidSecretError(`The admin secret ${admin.secretId} has no "host"`, {
        step: context.step,
      });
    }
    for (const [tag, service] of tags) {
      await assertManagedAdminOfUser(admin, tag, service, user, context);
    }
    const login = {
      database: user.dbname ?? DEFAULT_DATABASE,
      username: value.username,
      password: value.password,
    };
    // Over the Data API the admin acts through its secret ARN or DbUser; its login only names the database.
    if (resolved.transport === 'data-api') return { ...login, host: user.host, port: secretPort(user) };
    const endpoint = await endpoints.endpoint(user, context);
    return { ...login, host: endpoint.host, port: endpoint.port };
  };

  /** A Redshift-managed admin secret's tag must name, in the function's scope, the cluster or namespace of the user. */
  const assertManagedAdminOfUser = async (
    admin: AdminSecret,
    tag: string,
    service: string,
    user: RedshiftSecret,
    context: StepContext,
  ) => {
    const arn = assertArnInScope(admin.tags[tag], context.functionScope, {
      label: `The tag ${tag} of admin secret ${admin.secretId}`,
      service,
      step: context.step,
    });
    const target = endpoints.target(user, context)?.target;
    // Without a target, configured allowed hosts are all that bound where the admin password may go.
    if (!target) return;
    const refuse = (why: string) =>
      new InvalidSecretError(
        `The admin secret ${admin.secretId} is Redshift's for ${why}, but the user is on ${describeTarget(target)}; refusing to use it`,
        { step: context.step },
      );
    if (tag === CLUSTER_TAG) {
      const identifier = arn.resource.replace(/^cluster:/, '');
      if (!('clusterIdentifier' in target) || target.clusterIdentifier !== identifier) {
        throw refuse(`cluster ${identifier}`);
      }
      return;
    }
    if (!('workgroupName' in target)) throw refuse('a Serverless namespace');
    // With allowed hosts configured the control plane is not asked: they bound where the password goes.
    if (endpoints.configured) return;
    const namespaceArn = await (await loadControlPlane()).namespaceArn({ target, source: 'secret' }, context);
    if (namespaceArn !== admin.tags[tag]) throw refuse('another namespace');
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
      if (self.username !== user.username || !sameLocation(self, user)) {
        throw new InvalidSecretError(
          `The secret used to log in ("${self.username}" at ${self.host}) is not the user being changed ("${user.username}" at ${user.host})`,
          { step: context.step },
        );
      }
      return {
        login: resolved.transport === 'pg' ? await trustedLogin(self, context) : pgLogin(self),
        dataApi:
          resolved.dataApi.auth === 'secret-arn'
            ? { secretArn: context.secretId }
            : ({ dbUser: self.username } as DataApiIdentity),
      };
    }
    const admin = await adminLogin(principal.admin, user, context);
    return {
      login: admin,
      dataApi:
        resolved.dataApi.auth === 'secret-arn'
          ? { secretArn: principal.admin.secretId }
          : ({ dbUser: admin.username } as DataApiIdentity),
    };
  };

  /**
   * Whether a refused change had already been made by an earlier attempt: a login with the new password at the
   * trusted endpoint where the function can log in, else the first attempt's record in the Data API history.
   */
  const changeAlreadyApplied = async (
    who: { login: PgLogin; dataApi: DataApiIdentity },
    user: RedshiftSecret,
    password: string,
    statements: string[],
    idempotencyKey: string,
    context: StepContext,
  ): Promise<boolean> => {
    if (logsInDirectly) {
      return (await tryPgLogin({ ...(await trustedLogin(user, context)), password }, pgSettings(context)))
        .accepted;
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

    /** Before anything is written: the names and ARNs the secret gives, and where it would connect. */
    async preflight({ secret }, context) {
      if (resolved.transport === 'data-api') dataApiTarget(secret, context);
      else endpoints.target(secret, context);
      if (logsInDirectly) await endpoints.endpoint(secret, context);
    },

    async login(user, context): Promise<LoginOutcome> {
      if (user.password === undefined) return { status: 'rejected', reason: 'the secret has no password' };
      if (!logsInDirectly) {
        return {
          status: 'skipped',
          reason:
            'the Redshift Data API authenticates with a stored secret or IAM, never with a given password, so it cannot prove one (dataApi.loginCheck is "none"; "pg" logs in directly where the function can reach the cluster)',
        };
      }
      const result = await tryPgLogin(await trustedLogin(user, context), pgSettings(context));
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
        // with the old one. The new one logs in (or, without direct logins, the first statement is on record).
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

/** The secret's own login fields; the host and port are replaced by a trusted endpoint before connecting. */
function pgLogin(secret: RedshiftSecret): PgLogin {
  if (secret.password === undefined) {
    throw new InvalidSecretError(`The secret of "${secret.username}" has no password`);
  }
  return {
    host: secret.host,
    port: secretPort(secret),
    database: secret.dbname ?? DEFAULT_DATABASE,
    username: secret.username,
    password: secret.password,
  };
}

function sameLocation(
  a: { host: string; port?: string | number | undefined },
  b: { host: string; port?: string | number | undefined },
): boolean {
  return sameHost(a.host, b.host) && secretPort(a) === secretPort(b);
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

const CLUSTER_TAG = 'aws:redshift:primaryclusterarn';
/** Tags Redshift puts on the admin secrets it manages, and the service their ARNs belong to. */
const SERVICE_LINKED_TAGS: ReadonlyArray<readonly [string, string]> = [
  [CLUSTER_TAG, 'redshift'],
  ['aws:redshift-serverless:namespacearn', 'redshift-serverless'],
];

function describeTransport(options: ResolvedOptions, identity: DataApiIdentity): string {
  return options.transport === 'pg' ? 'a direct connection' : `the Data API as ${describeIdentity(identity)}`;
}
