/** Logins and stored verifiers on a PostgreSQL server, for the Redshift and PostgreSQL scenarios. */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { PostgresServerHandle } from '@rotor/local-aws/harness';
import type { CrashCaseContext, CrashFunction, PreparedTarget, UserCredentials } from '@rotor/testkit/crash';
import { postgresVerifierOpens } from '@rotor/testkit/crash';
import pg from 'pg';

export interface PostgresAddress {
  host: string;
  port: number;
  database: string;
}

/** One fresh connection: true when the server accepts the password, false when it refuses it (28P01). */
export async function postgresLogin(
  address: PostgresAddress,
  user: string,
  password: string,
): Promise<boolean> {
  const client = new pg.Client({ ...address, user, password, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs statements as the superuser on one connection. */
export async function asSuperuser<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The verifier each role stores (`pg_authid.rolpassword`), as a credential to open. */
export function storedVerifiers(adminUrl: string, roles: readonly string[]): Promise<UserCredentials[]> {
  return asSuperuser(adminUrl, async (client) => {
    const { rows } = await client.query<{ rolname: string; rolpassword: string | null }>(
      'SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)',
      [roles],
    );
    return rows.map((row) => ({
      username: row.rolname,
      credentials: row.rolpassword
        ? [
            {
              describe: row.rolpassword.startsWith('md5') ? 'md5 verifier' : 'SCRAM verifier',
              opens: (password: string) => postgresVerifierOpens(row.rolpassword!, row.rolname, password),
            },
          ]
        : [],
    }));
  });
}

/** Roles `role` is a member of, for comparing a clone's memberships with its source's. */
export async function membershipsOf(adminUrl: string, role: string): Promise<string[] | undefined> {
  return asSuperuser(adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) return undefined;
    const { rows } = await client.query<{ rolname: string }>(
      `SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1 ORDER BY 1`,
      [role],
    );
    return rows.map((row) => row.rolname);
  });
}

/** A clone that lacks a membership of its source cannot do what AWSCURRENT could before. */
export async function cloneMembershipProblems(
  adminUrl: string,
  source: string,
  clone: string,
): Promise<string[]> {
  const [ofSource, ofClone] = await Promise.all([
    membershipsOf(adminUrl, source),
    membershipsOf(adminUrl, clone),
  ]);
  if (!ofSource || !ofClone) return [];
  return ofSource
    .filter((group) => !ofClone.includes(group))
    .map((group) => `"${clone}" is not a member of "${group}" like "${source}"`);
}

/**
 * The rest of a PostgreSQL-backed case once its user exists: the user's secret (and, for alternating users, the
 * admin secret it names in `masterarn`: the server's superuser), and the adapters the invariants use.
 */
export async function postgresTarget(input: {
  context: CrashCaseContext;
  server: PostgresServerHandle;
  /** `redshift` or `postgres`: the secret's `engine` and the secrets' name prefix. */
  engine: string;
  /** Fields the engine's secret carries besides the connection, user and password. */
  extraFields?: Record<string, unknown>;
  username: string;
  password: string;
  alternating: boolean;
  fn: CrashFunction;
}): Promise<PreparedTarget> {
  const { context, server, username } = input;
  const adminUrl = server.connectionString();
  const clone = `${username}_clone`;
  const base = {
    engine: input.engine,
    host: server.host,
    port: server.port,
    dbname: server.database,
    ...input.extraFields,
  };
  const create = async (name: string, value: Record<string, unknown>) =>
    (
      await context.secretsManager.send(
        new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }),
      )
    ).ARN!;
  const masterarn = input.alternating
    ? await create(`crash/${input.engine}/${context.caseId}/admin`, {
        ...base,
        username: server.user,
        password: server.password,
      })
    : undefined;
  const secretId = await create(`crash/${input.engine}/${context.caseId}`, {
    ...base,
    username,
    password: input.password,
    ...(masterarn ? { masterarn } : {}),
  });
  const address = { host: server.host, port: server.port, database: server.database };
  return {
    secretId,
    function: input.fn,
    login: (user, candidate) => postgresLogin(address, user, candidate),
    heldCredentials: () => storedVerifiers(adminUrl, [username, clone]),
    controlPlaneProblems: async () =>
      input.alternating ? cloneMembershipProblems(adminUrl, username, clone) : [],
  };
}
