/**
 * As whom and where the engine runs statements and logs in: over pg to a trusted endpoint (decision 0043), or
 * through the Data API as a stored secret or a database user (decision 0040); as the user itself or as the
 * admin secret named by `masterarn` (on the user's own cluster, with the confused-deputy checks of AWS's
 * functions).
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import {
  type AdminSecret,
  assertArnInScope,
  InvalidConfigurationError,
  InvalidSecretError,
  type Principal,
  type StepContext,
  sameHost,
  throttlingRetryStrategy,
} from '@rotor/core/engine';
import * as z from 'zod';
import type { ControlPlane } from './control-plane.js';
import { type DataApiIdentity, describeIdentity, openDataApiSession } from './data-api-transport.js';
import type { EndpointResolver } from './endpoint-resolver.js';
import { openPgSession, type PgConnectionSettings, type PgLogin, tryPgLogin } from './pg-transport.js';
import type { ResolvedRedshiftOptions } from './redshift-options.js';
import { DEFAULT_DATABASE, DEFAULT_PORT, type RedshiftSecret, secretPort } from './redshift-secret.js';
import { describeTarget, type RedshiftTarget } from './redshift-target.js';
import { type SqlSession, withSession } from './transport.js';

/** What the operations work with, made once per engine (per container). */
export interface RedshiftRuntime {
  options: ResolvedRedshiftOptions;
  endpoints: EndpointResolver;
  /** DescribeClusters / GetWorkgroup / GetNamespace, loaded on first use. */
  controlPlane(): Promise<ControlPlane>;
  /** The Data API client, created on first use. */
  dataClient(): RedshiftDataClient;
  /** Whether logins are real pg logins (always over pg; over the Data API unless loginCheck is `none`). */
  logsInDirectly: boolean;
}

/** Who a statement runs as: the pg login, and the Data API identity. */
export interface Actor {
  login: PgLogin;
  dataApi: DataApiIdentity;
}

/** Even with almost no time left, give a connection this long rather than fail at once. */
const MIN_PG_TIMEOUT_MS = 500;

const CLUSTER_TAG = 'aws:redshift:primaryclusterarn';
/** Tags Redshift puts on the admin secrets it manages, and the service their ARNs belong to. */
const SERVICE_LINKED_TAGS: ReadonlyArray<readonly [string, string]> = [
  [CLUSTER_TAG, 'redshift'],
  ['aws:redshift-serverless:namespacearn', 'redshift-serverless'],
];

const adminSecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().min(1).optional(),
  port: z.union([z.number().int(), z.string().regex(/^\d{1,5}$/)]).optional(),
  engine: z.string().optional(),
});

/** A Data API client from the options (a given one, else one for the endpoint and region). */
export function dataClientFactory(options: ResolvedRedshiftOptions): () => RedshiftDataClient {
  let client: RedshiftDataClient | undefined = options.dataApi.client;
  return () => {
    client ??= new RedshiftDataClient({
      // Throttled calls are retried with jittered backoff until the step's deadline (decision 0095).
      retryStrategy: throttlingRetryStrategy(),
      ...(options.dataApi.endpoint ? { endpoint: options.dataApi.endpoint } : {}),
      ...(options.dataApi.region ? { region: options.dataApi.region } : {}),
    });
    return client;
  };
}

/**
 * Connection settings for one step: no connect or statement timeout reaches past the point where core
 * aborts the step (`remainingTimeMs`), so a hung server gives a retryable error, not a killed Lambda.
 */
export function pgSettings(runtime: RedshiftRuntime, context: StepContext): PgConnectionSettings {
  const { pg } = runtime.options;
  const left = Math.max(MIN_PG_TIMEOUT_MS, context.remainingTimeMs());
  return {
    ...pg,
    connectTimeoutMs: Math.min(pg.connectTimeoutMs, left),
    queryTimeoutMs: Math.min(pg.queryTimeoutMs, left),
  };
}

/** The secret's own login fields; the host and port are replaced by a trusted endpoint before connecting. */
export function pgLogin(secret: RedshiftSecret): PgLogin {
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

/** The secret's login, at the trusted endpoint its host is (or an error before any connection). */
export async function trustedLogin(
  runtime: RedshiftRuntime,
  secret: RedshiftSecret,
  context: StepContext,
): Promise<PgLogin> {
  const endpoint = await runtime.endpoints.endpoint(secret, context);
  return { ...pgLogin(secret), host: endpoint.host, port: endpoint.port };
}

/** The cluster or workgroup Data API statements go to. */
export function dataApiTarget(
  runtime: RedshiftRuntime,
  secret: RedshiftSecret,
  context: StepContext,
): RedshiftTarget {
  const target = runtime.endpoints.target(secret, context)?.target;
  if (!target) {
    throw new InvalidConfigurationError(
      `The Data API needs a cluster identifier or workgroup name: configure one, or put "dbClusterIdentifier" / "workgroupName" in the secret (host ${secret.host} does not name one)`,
      { step: context.step },
    );
  }
  return target;
}

/** A session as `who`, over the configured transport. */
export function openAs(
  runtime: RedshiftRuntime,
  who: Actor,
  secret: RedshiftSecret,
  context: StepContext,
): Promise<SqlSession> {
  const { options } = runtime;
  if (options.transport === 'pg')
    return openPgSession(who.login, pgSettings(runtime, context), options.onStatement);
  const target = dataApiTarget(runtime, secret, context);
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
        client: runtime.dataClient(),
        target,
        identity: who.dataApi,
        database: who.login.database,
        statementTimeoutMs: options.dataApi.statementTimeoutMs,
        pollIntervalMs: options.dataApi.pollIntervalMs,
      },
      context,
      options.onStatement,
    ),
  );
}

/**
 * The admin's login. As in AWS's function the admin connects to the rotated user's database on the user's
 * host, so the admin password goes only to the trusted endpoint the user is on. An admin secret that names a
 * host must name the user's; a Redshift-managed one (username and password only) must be Redshift's, by its tags,
 * for that same cluster or workgroup.
 */
async function adminLogin(
  runtime: RedshiftRuntime,
  admin: AdminSecret,
  user: RedshiftSecret,
  context: StepContext,
): Promise<PgLogin> {
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
      {
        step: context.step,
      },
    );
  }
  if (value.host) {
    if (!sameLocation({ host: value.host, port: value.port }, user)) {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} is for ${value.host}:${value.port ?? DEFAULT_PORT}, but the user is on ${user.host}:${user.port ?? DEFAULT_PORT}; refusing to send admin credentials elsewhere`,
        { step: context.step },
      );
    }
  } else {
    // Redshift's own admin secrets name no host: their tags say whose they are (decision 0093).
    const tags = await admin.readTags();
    const managedBy = SERVICE_LINKED_TAGS.flatMap(([tag, service]) => {
      const arn = tags[tag];
      return arn === undefined ? [] : [{ tag, arn, service }];
    });
    if (managedBy.length === 0) {
      throw new InvalidSecretError(`The admin secret ${admin.secretId} has no "host"`, {
        step: context.step,
      });
    }
    for (const managed of managedBy) {
      await assertManagedAdminOfUser(runtime, admin, managed, user, context);
    }
  }
  const login = {
    database: user.dbname ?? DEFAULT_DATABASE,
    username: value.username,
    password: value.password,
  };
  // Over the Data API the admin acts through its secret ARN or DbUser; its login only names the database.
  if (runtime.options.transport === 'data-api') return { ...login, host: user.host, port: secretPort(user) };
  const endpoint = await runtime.endpoints.endpoint(user, context);
  return { ...login, host: endpoint.host, port: endpoint.port };
}

/** A Redshift-managed admin secret's tag must name, in the function's scope, the cluster or namespace of the user. */
async function assertManagedAdminOfUser(
  runtime: RedshiftRuntime,
  admin: AdminSecret,
  managedBy: { tag: string; arn: string; service: string },
  user: RedshiftSecret,
  context: StepContext,
): Promise<void> {
  const { tag, service } = managedBy;
  const arn = assertArnInScope(managedBy.arn, context.functionScope, {
    label: `The tag ${tag} of admin secret ${admin.secretId}`,
    service,
    step: context.step,
  });
  const target = runtime.endpoints.target(user, context)?.target;
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
  if (runtime.endpoints.configured) return;
  const namespaceArn = await (await runtime.controlPlane()).namespaceArn(
    { target, source: 'secret' },
    context,
  );
  if (namespaceArn !== managedBy.arn) throw refuse('another namespace');
}

/** The connection a principal acts through, with the confused-deputy checks of AWS's functions. */
export async function principalConnection(
  runtime: RedshiftRuntime,
  principal: Principal<RedshiftSecret>,
  user: RedshiftSecret,
  context: StepContext,
): Promise<Actor> {
  const { options } = runtime;
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
      login: options.transport === 'pg' ? await trustedLogin(runtime, self, context) : pgLogin(self),
      dataApi:
        options.dataApi.auth === 'secret-arn'
          ? { secretArn: context.secretId }
          : ({ dbUser: self.username } as DataApiIdentity),
    };
  }
  const admin = await adminLogin(runtime, principal.admin, user, context);
  return {
    login: admin,
    dataApi:
      options.dataApi.auth === 'secret-arn'
        ? { secretArn: principal.admin.secretId }
        : ({ dbUser: admin.username } as DataApiIdentity),
  };
}

/**
 * Whether a refused change had already been made by an earlier attempt: a login with the new password at the
 * trusted endpoint where the function can log in, else the first attempt's record in the Data API history.
 */
export async function changeAlreadyApplied(
  runtime: RedshiftRuntime,
  who: Actor,
  user: RedshiftSecret,
  password: string,
  statements: string[],
  idempotencyKey: string,
  context: StepContext,
): Promise<boolean> {
  if (runtime.logsInDirectly) {
    const login = { ...(await trustedLogin(runtime, user, context)), password };
    return (await tryPgLogin(login, pgSettings(runtime, context))).accepted;
  }
  try {
    return await withSession(
      () => openAs(runtime, who, user, context),
      async (session) => (await session.committedEarlier?.(statements, idempotencyKey)) ?? false,
    );
  } catch (error) {
    // The history could not be read (e.g. no redshift-data:ListStatements): report the original refusal.
    context.logger.warn(
      `Could not check the Data API history for an earlier change: ${(error as Error).message}`,
    );
    return false;
  }
}

export function describeTransport(options: ResolvedRedshiftOptions, identity: DataApiIdentity): string {
  return options.transport === 'pg' ? 'a direct connection' : `the Data API as ${describeIdentity(identity)}`;
}

function sameLocation(
  a: { host: string; port?: string | number | undefined },
  b: { host: string; port?: string | number | undefined },
): boolean {
  return sameHost(a.host, b.host) && secretPort(a) === secretPort(b);
}
