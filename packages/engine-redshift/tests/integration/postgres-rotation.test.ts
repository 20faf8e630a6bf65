/**
 * End-to-end through core's protocol against a real PostgreSQL (md5 authentication), standing in for
 * Redshift: single user and alternating users, three rotations each, real logins with negative controls,
 * and a statement log (log_statement=all) that must never contain a clear-text password.
 */
import { randomUUID } from 'node:crypto';
import { createRotationStepRunner, type RotorLogger } from '@rotor/core';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { InMemorySecretsManager } from '@rotor/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5PasswordHash, quoteIdent } from '../../src/sql.ts';
import { stepContext } from '../support/step-context.ts';

let server: PostgresServerHandle;
const statements: string[] = [];
const logLines: string[] = [];
const logger: RotorLogger = {
  debug: (m, ...x) => logLines.push(`${m} ${JSON.stringify(x)}`),
  info: (m, ...x) => logLines.push(`${m} ${JSON.stringify(x)}`),
  warn: (m, ...x) => logLines.push(`${m} ${JSON.stringify(x)}`),
  error: (m, ...x) => logLines.push(`${m} ${JSON.stringify(x)}`),
};
/** Every password the tests created or the rotations generated. */
const passwordsSeen = new Set<string>();

const engine = () =>
  redshiftEngine({
    pg: { tls: 'disable', connectTimeoutMs: 3_000 },
    allowedHosts: [allowedHost()],
    onStatement: (sql) => statements.push(sql),
  });

/** The function's configuration: the only host it may connect to. */
const allowedHost = () => `${server.host}:${server.port}`;

async function asSuperuser<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function connectAs(user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server.connectionString({ user, password }) });
  await client.connect();
  return client;
}

async function canLogin(user: string, password: string): Promise<boolean> {
  try {
    const client = await connectAs(user, password);
    await client.query('SELECT 1');
    await client.end();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  }
}

/** Creates a login user without its password ever reaching the server in clear text. */
async function createLogin(user: string, password: string, extra = ''): Promise<void> {
  passwordsSeen.add(password);
  await asSuperuser((client) =>
    client.query(`CREATE USER ${quoteIdent(user)} PASSWORD '${md5PasswordHash(password, user)}' ${extra}`),
  );
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}) {
  return {
    engine: 'redshift',
    host: server.host,
    port: String(server.port),
    username,
    password,
    dbname: 'postgres',
    dbClusterIdentifier: 'analytics',
    ...extra,
  };
}

async function rotate(store: InMemorySecretsManager, arn: string): Promise<Record<string, unknown>> {
  const run = createRotationStepRunner({ engine: engine(), store, logger });
  const token = randomUUID();
  store.startRotation(arn, token);
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
    await run({ Step, SecretId: arn, ClientRequestToken: token });
  }
  const current = store.valueAt(arn, 'AWSCURRENT')!;
  passwordsSeen.add(String(current.password));
  return current;
}

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'md5', logStatements: true });
  passwordsSeen.add(server.password);
});

afterAll(async () => {
  await server?.stop();
});

describe('single user', () => {
  it('rotates three times: the new password logs in, the old one is refused, extra keys survive', async () => {
    const initial = 'Initial1Password';
    await createLogin('solo', initial);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('solo', secretFor('solo', initial));

    let previous = initial;
    for (let round = 1; round <= 3; round += 1) {
      const current = await rotate(store, arn);
      expect(current.username).toBe('solo');
      expect(current.password).not.toBe(previous);
      expect(current.dbClusterIdentifier).toBe('analytics');
      expect(await canLogin('solo', String(current.password))).toBe(true);
      expect(await canLogin('solo', previous)).toBe(false);
      previous = String(current.password);
    }
  });

  it('rotates a user whose name needs quoting (space and apostrophe)', async () => {
    const name = "o'brien data";
    const initial = 'Initial2Password';
    await createLogin(name, initial);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('quoted', secretFor(name, initial));
    const current = await rotate(store, arn);
    expect(await canLogin(name, String(current.password))).toBe(true);
    expect(await canLogin(name, initial)).toBe(false);
  });

  it('refuses a hostile user name before writing anything, and no statement reaches the server', async () => {
    await createLogin('x', 'Victim1Password');
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('hostile', secretFor('a"; DROP USER x; --', 'Whatever1Password'));
    const run = createRotationStepRunner({ engine: engine(), store, logger });
    const token = randomUUID();
    store.startRotation(arn, token);
    const sent = statements.length;
    await expect(
      run({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
    });
    expect(store.writes()).toEqual([]);
    expect(statements.length).toBe(sent);
    expect(await canLogin('x', 'Victim1Password')).toBe(true);
  });

  it('refuses a secret for another engine, writing nothing', async () => {
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('wrong-engine', {
      ...secretFor('solo', 'Whatever1Password'),
      engine: 'postgres',
    });
    const run = createRotationStepRunner({ engine: engine(), store, logger });
    const token = randomUUID();
    store.startRotation(arn, token);
    await expect(
      run({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
    });
    expect(store.writes()).toEqual([]);
  });

  it('fails setSecret with CredentialRejectedError when no known password logs in, changing nothing', async () => {
    const real = 'RealPassw0rdKept';
    await createLogin('stranger', real);
    const store = new InMemorySecretsManager();
    const arn = store.createSecret('stranger', secretFor('stranger', 'WrongPassw0rd99'));
    const run = createRotationStepRunner({ engine: engine(), store, logger });
    const token = randomUUID();
    store.startRotation(arn, token);
    await run({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token });
    await expect(run({ Step: 'setSecret', SecretId: arn, ClientRequestToken: token })).rejects.toMatchObject({
      code: 'CREDENTIAL_REJECTED',
    });
    expect(await canLogin('stranger', real)).toBe(true);
  });
});

/** What a user can do, seen from its own session. */
async function profile(user: string, password: string) {
  const client = await connectAs(user, password);
  try {
    const tables = await client.query(
      `SELECT c.relname, has_table_privilege(current_user, 'sales.' || quote_ident(c.relname), 'SELECT') AS s,
              has_table_privilege(current_user, 'sales.' || quote_ident(c.relname), 'INSERT') AS i,
              has_table_privilege(current_user, 'sales.' || quote_ident(c.relname), 'UPDATE') AS u,
              has_table_privilege(current_user, 'sales.' || quote_ident(c.relname), 'DELETE') AS d
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 1`,
    );
    const schema = await client.query(
      `SELECT has_schema_privilege(current_user, 'sales', 'USAGE') AS usage, has_schema_privilege(current_user, 'sales', 'CREATE') AS create_`,
    );
    const groups = await client.query(
      `SELECT groname FROM pg_group WHERE (SELECT usesysid FROM pg_user WHERE usename = current_user) = ANY(grolist) ORDER BY 1`,
    );
    const settings = await client.query(
      `SELECT current_setting('search_path') AS search_path, (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user) AS connlimit`,
    );
    // Really use the privileges, not only ask about them.
    await client.query('SELECT count(*) FROM sales.orders');
    await client.query('INSERT INTO sales.orders VALUES (1)');
    const forbidden = await client.query('SELECT 1 FROM sales.audit').then(
      () => 'allowed',
      (error: { code?: string }) => error.code,
    );
    return {
      tables: tables.rows,
      schema: schema.rows,
      groups: groups.rows,
      settings: settings.rows,
      forbidden,
    };
  } finally {
    await client.end();
  }
}

describe('alternating users', () => {
  it('creates app_clone like app and alternates three times; the previous user keeps working', async () => {
    await asSuperuser(async (client) => {
      await client.query('CREATE SCHEMA sales');
      await client.query('CREATE TABLE sales.orders (id int)');
      await client.query('CREATE TABLE sales.customers (id int)');
      await client.query('CREATE TABLE sales.audit (id int)');
      await client.query('CREATE GROUP readers');
      await client.query('GRANT USAGE ON SCHEMA sales TO GROUP readers');
      await client.query('GRANT SELECT ON sales.orders, sales.customers TO GROUP readers');
    });
    const initial = 'AppInitial1Password';
    await createLogin('app', initial, 'CONNECTION LIMIT 5');
    await asSuperuser(async (client) => {
      await client.query('ALTER GROUP readers ADD USER app');
      await client.query('GRANT INSERT ON sales.orders TO app');
      await client.query('GRANT CREATE ON SCHEMA sales TO app');
      await client.query('ALTER USER app SET search_path TO sales, public');
    });
    const store = new InMemorySecretsManager();
    const adminArn = store.createSecret('admin', {
      engine: 'redshift',
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
    });
    const arn = store.createSecret('app', secretFor('app', initial, { masterarn: adminArn }));
    const original = await profile('app', initial);
    expect(original.forbidden).toBe('42501');
    expect(original.groups).toEqual([{ groname: 'readers' }]);

    // Rotation 1 creates the clone.
    const first = await rotate(store, arn);
    expect(first.username).toBe('app_clone');
    expect(first.masterarn).toBe(adminArn);
    expect(await profile('app_clone', String(first.password))).toEqual(original);
    expect(await canLogin('app', initial)).toBe(true);
    expect(await canLogin('app_clone', 'NotThePassw0rd1')).toBe(false);

    // Rotation 2 gives app a new password; app_clone (now previous) still works.
    const second = await rotate(store, arn);
    expect(second.username).toBe('app');
    expect(await canLogin('app', String(second.password))).toBe(true);
    expect(await canLogin('app', initial)).toBe(false);
    expect(await canLogin('app_clone', String(first.password))).toBe(true);

    // Rotation 3 re-passwords app_clone only.
    const third = await rotate(store, arn);
    expect(third.username).toBe('app_clone');
    expect(await canLogin('app_clone', String(third.password))).toBe(true);
    expect(await canLogin('app_clone', String(first.password))).toBe(false);
    expect(await canLogin('app', String(second.password))).toBe(true);
    expect(await profile('app_clone', String(third.password))).toEqual(original);
  });

  it('gives UserNotFoundError for a missing user and changes nothing', async () => {
    const admin = {
      secretId: 'arn:admin',
      value: {
        engine: 'redshift',
        host: server.host,
        port: server.port,
        username: server.user,
        password: server.password,
      },
      readTags: async () => ({}),
    };
    const ghost = redshiftSecretSchema.parse(secretFor('ghost', 'Ghost1Password'));
    const e = engine();
    await expect(
      e.setPasswords(
        { user: ghost, passwords: ['Ghost2Password'], principal: { kind: 'admin', admin } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(
      e.cloneUser(
        { source: ghost, target: { ...ghost, username: 'ghost_clone' }, principal: { kind: 'admin', admin } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    const users = await asSuperuser((client) =>
      client.query(`SELECT usename FROM pg_user WHERE usename LIKE 'ghost%'`),
    );
    expect(users.rows).toEqual([]);
  });

  it('maps a non-admin "admin" to PermissionDeniedError', async () => {
    await createLogin('weak', 'WeakAdmin1Password');
    await createLogin('victim', 'Victim2Password');
    const admin = {
      secretId: 'arn:weak',
      value: {
        engine: 'redshift',
        host: server.host,
        port: server.port,
        username: 'weak',
        password: 'WeakAdmin1Password',
      },
      readTags: async () => ({}),
    };
    const victim = redshiftSecretSchema.parse(secretFor('victim', 'Victim2Password'));
    await expect(
      engine().setPasswords(
        { user: victim, passwords: ['Changed1Password'], principal: { kind: 'admin', admin } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await canLogin('victim', 'Victim2Password')).toBe(true);
  });
});

describe('engine options against the server', () => {
  it('copyPrivileges every-rotation adds what the source gained since the clone was made (additively)', async () => {
    await asSuperuser(async (client) => {
      await client.query('CREATE TABLE sales.returns (id int)');
      await client.query('CREATE GROUP auditors');
    });
    await createLogin('resync', 'Resync1Password');
    await createLogin('resync_clone', 'ResyncClone1Password');
    await asSuperuser((client) => client.query('GRANT SELECT ON sales.returns TO resync'));
    await asSuperuser((client) => client.query('GRANT USAGE ON SCHEMA sales TO resync'));
    await asSuperuser((client) => client.query('ALTER GROUP auditors ADD USER resync'));
    const admin = {
      secretId: 'arn:admin',
      value: {
        engine: 'redshift',
        host: server.host,
        port: server.port,
        username: server.user,
        password: server.password,
      },
      readTags: async () => ({}),
    };
    const source = redshiftSecretSchema.parse(secretFor('resync', 'Resync1Password'));
    const target = { ...source, username: 'resync_clone', password: 'ResyncClone2Password' };
    passwordsSeen.add('ResyncClone2Password');
    const hasReturns = async () =>
      (
        await asSuperuser((client) =>
          client.query(`SELECT has_table_privilege('resync_clone', 'sales.returns', 'SELECT') AS ok`),
        )
      ).rows[0].ok;

    // AWS's behaviour (default): an existing clone only gets its new password.
    await engine().cloneUser({ source, target, principal: { kind: 'admin', admin } }, stepContext());
    expect(await canLogin('resync_clone', 'ResyncClone2Password')).toBe(true);
    expect(await hasReturns()).toBe(false);

    const resync = redshiftEngine({
      pg: { tls: 'disable' },
      allowedHosts: [allowedHost()],
      copyPrivileges: 'every-rotation',
    });
    await resync.cloneUser({ source, target, principal: { kind: 'admin', admin } }, stepContext());
    expect(await hasReturns()).toBe(true);
    const groups = await asSuperuser((client) =>
      client.query(
        `SELECT groname FROM pg_group WHERE (SELECT usesysid FROM pg_user WHERE usename = 'resync_clone') = ANY(grolist)`,
      ),
    );
    expect(groups.rows).toEqual([{ groname: 'auditors' }]);
    // Repeating it is harmless (memberships already there are not added twice).
    await resync.cloneUser({ source, target, principal: { kind: 'admin', admin } }, stepContext());
    expect(await canLogin('resync_clone', 'ResyncClone2Password')).toBe(true);
  });

  it('data-api with loginCheck "pg" proves logins directly: accepted, and refused for a wrong password', async () => {
    await createLogin('checked', 'Checked1Password');
    const checked = redshiftEngine({
      transport: 'data-api',
      clusterIdentifier: 'analytics',
      allowedHosts: [allowedHost()],
      dataApi: { loginCheck: 'pg', region: 'us-east-1' },
      pg: { tls: 'disable' },
    });
    const user = redshiftSecretSchema.parse(secretFor('checked', 'Checked1Password'));
    expect(await checked.login({ user: user }, stepContext())).toEqual({ status: 'accepted' });
    const wrong = await checked.login({ user: { ...user, password: 'Wrong1Password' } }, stepContext());
    expect(wrong.status).toBe('rejected');
    expect(wrong.status === 'rejected' && wrong.reason).toMatch(/no such user/);
  });
});

describe('transport security', () => {
  it('requires TLS by default: a server without TLS is refused before any password is sent', async () => {
    const secure = redshiftEngine({ allowedHosts: [allowedHost()] });
    const user = redshiftSecretSchema.parse(secretFor('solo', 'Whatever1Password'));
    await expect(secure.login({ user: user }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/SSL/),
    });
  });
});

describe('secret material', () => {
  it('never reaches the server log, the statements sent or the log lines in clear text', () => {
    const serverLog = server.output();
    // The log is on (negative control): our hashed ALTER USER statements are in it.
    expect(serverLog).toMatch(/ALTER USER "solo" PASSWORD 'md5[0-9a-f]{32}'/);
    expect(serverLog).toMatch(/CREATE USER "app_clone" PASSWORD 'md5[0-9a-f]{32}'/);
    expect(passwordsSeen.size).toBeGreaterThan(8);
    const sent = statements.join('\n');
    const logged = logLines.join('\n');
    for (const password of passwordsSeen) {
      expect(serverLog).not.toContain(password);
      expect(sent).not.toContain(password);
      expect(logged).not.toContain(password);
    }
  });
});
