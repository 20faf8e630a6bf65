/**
 * The engine's operations against a scripted server (support/fake-server.ts): the exact statements, in order,
 * what is logged, and the error (class, message, step) of each way a change can fail. The conformance kit
 * checks outcomes on a real server; these pin what an operator reads and what the server is sent, which the
 * kit never looks at (decision 0130).
 */
import { type PostgresSecret, postgresEngine } from '@rotor/engine-postgres';
import { createCapturingLogger, stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { fakeServer, sqlError } from './support/fake-server.ts';

const VERIFIER = /'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/;
const secret = (username: string, password?: string): PostgresSecret => ({
  host: 'db.internal',
  username,
  ...(password === undefined ? {} : { password }),
});
const adminPrincipal = (value: Record<string, unknown> = {}, tags: Record<string, string> = {}) => ({
  kind: 'admin' as const,
  admin: {
    secretId: 'arn:admin',
    value: { username: 'admin', password: 'Admin-Password-1', ...value },
    readTags: async () => tags,
  },
});
const engineOn = (server: ReturnType<typeof fakeServer>) =>
  postgresEngine({ allowedHosts: ['db.internal', 'db.internal:6543'], clientFactory: server.factory });
const APP = { oid: 41, rolinherit: false, rolcreatedb: true, rolconnlimit: 7 };
const MEMBERSHIPS = {
  41: [
    { rolname: 'app_readers', admin_option: false },
    { rolname: 'app_writers', admin_option: true },
  ],
};

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error as Error & { code: string; step?: string; cause?: unknown },
  );
}

describe('cloneUser', () => {
  const clone = (
    server: ReturnType<typeof fakeServer>,
    logger = createCapturingLogger(),
    principal = adminPrincipal(),
  ) =>
    engineOn(server).cloneUser(
      { source: secret('app', 'Old-Password-1'), target: secret('app_clone', 'New-Password-1'), principal },
      stepContext({ logger }),
    );

  it("creates the alternate role in one transaction, with the source's attributes and memberships", async () => {
    const server = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: APP },
      memberships: MEMBERSHIPS,
    });
    const logger = createCapturingLogger();
    await expect(clone(server, logger)).resolves.toEqual({ status: 'created' });
    expect(server.statements.map((s) => s.replace(/\s+/g, ' '))).toEqual([
      'BEGIN',
      'SELECT oid, rolinherit, rolcreatedb, rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = $1',
      'SELECT r.rolname, m.admin_option FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid WHERE m.member = $1 ORDER BY r.rolname',
      'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1',
      expect.stringMatching(
        /^CREATE ROLE "app_clone" WITH LOGIN NOINHERIT CREATEDB CONNECTION LIMIT 7 PASSWORD /,
      ),
      'GRANT "app_readers" TO "app_clone"',
      'GRANT "app_writers" TO "app_clone" WITH ADMIN OPTION',
      'COMMIT',
    ]);
    expect(server.statements[4]).toMatch(VERIFIER);
    expect(server.values.slice(1, 4)).toEqual([['app'], [41], ['app_clone']]);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'Created role "app_clone" like "app" (2 memberships)',
      }),
    ]);
    expect(server.open()).toBe(0);
  });

  it('updates an alternate role left by an earlier run, with the opposite attributes', async () => {
    const server = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: { oid: 42, rolinherit: true, rolcreatedb: false, rolconnlimit: -1 }, app_clone: APP },
    });
    const logger = createCapturingLogger();
    await expect(clone(server, logger)).resolves.toEqual({ status: 'changed' });
    expect(server.statements.slice(4)).toEqual([
      expect.stringMatching(
        /^ALTER ROLE "app_clone" WITH LOGIN INHERIT NOCREATEDB CONNECTION LIMIT -1 PASSWORD /,
      ),
      'COMMIT',
    ]);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'Updated role "app_clone" like "app" (0 memberships)',
    ]);
  });

  it.each([
    [
      'a GRANT the admin may not give',
      /^GRANT "app_writers"/,
      sqlError('42501', 'must have admin option on role "app_writers"'),
      'PERMISSION_DENIED',
      'Permission denied granting "app_writers" to "app_clone": must have admin option on role "app_writers"',
    ],
    [
      'a CREATE ROLE the server fails',
      /^CREATE ROLE/,
      sqlError('XX000', 'internal error'),
      'ENGINE_FAILED',
      'PostgreSQL failed creating role "app_clone" (SQLSTATE XX000): internal error',
    ],
    [
      'reading the memberships',
      /pg_auth_members/,
      sqlError('57P01', 'terminating connection due to administrator command'),
      'ENGINE_UNAVAILABLE',
      'PostgreSQL is unavailable reading the memberships of "app": 57P01: terminating connection due to administrator command',
    ],
    [
      'looking up the alternate role',
      /^SELECT 1 FROM/,
      sqlError('XX000', 'catalog'),
      'ENGINE_FAILED',
      'PostgreSQL failed looking up role "app_clone" (SQLSTATE XX000): catalog',
    ],
    [
      'COMMIT',
      /^COMMIT/,
      sqlError('XX000', 'disk'),
      'ENGINE_FAILED',
      'PostgreSQL failed committing (SQLSTATE XX000): disk',
    ],
  ])(
    'fails on %s: rolls back, names what it was doing, closes the connection',
    async (_name, statement, error, code, message) => {
      const server = fakeServer({
        logins: { admin: 'Admin-Password-1' },
        roles: { app: APP },
        memberships: MEMBERSHIPS,
        failOn: [{ statement, error }],
      });
      const logger = createCapturingLogger();
      const refused = await failure(clone(server, logger));
      expect(refused).toMatchObject({ code, message, step: 'setSecret', cause: error });
      // Nothing after the failing statement but ROLLBACK.
      expect(server.statements.at(-1)).toBe('ROLLBACK');
      expect(server.statements.at(-2)).toMatch(statement);
      expect(logger.lines).toEqual([]);
      expect(server.open()).toBe(0);
    },
  );

  it('names an update it could not make as updating, and a source it could not look up', async () => {
    const alter = sqlError('XX000', 'alter');
    const updating = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: APP, app_clone: APP },
      failOn: [{ statement: /^ALTER ROLE/, error: alter }],
    });
    expect(await failure(clone(updating))).toMatchObject({
      message: 'PostgreSQL failed updating role "app_clone" (SQLSTATE XX000): alter',
    });
    const lookup = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: APP },
      failOn: [{ statement: /^SELECT oid/, error: sqlError('XX000', 'catalog') }],
    });
    expect(await failure(clone(lookup))).toMatchObject({
      message: 'PostgreSQL failed looking up role "app" (SQLSTATE XX000): catalog',
    });
  });

  it('fails when BEGIN fails, before reading anything', async () => {
    const error = sqlError('XX000', 'no');
    const server = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: APP },
      failOn: [{ statement: /^BEGIN/, error }],
    });
    expect(await failure(clone(server))).toMatchObject({
      message: 'PostgreSQL failed starting a transaction (SQLSTATE XX000): no',
    });
    expect(server.statements).toEqual(['BEGIN']);
  });

  it('refuses a source role that does not exist, rolling back', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' } });
    expect(await failure(clone(server))).toMatchObject({
      code: 'USER_NOT_FOUND',
      message: 'Role "app" does not exist',
      step: 'setSecret',
    });
    expect(server.statements).toEqual(['BEGIN', expect.stringMatching(/^SELECT oid/), 'ROLLBACK']);
  });

  it('refuses, before connecting, a principal that is not an admin, a target without a password, a password no client could match', async () => {
    const server = fakeServer({
      logins: { admin: 'Admin-Password-1', app: 'Old-Password-1' },
      roles: { app: APP },
    });
    const engine = engineOn(server);
    const request = {
      source: secret('app', 'Old-Password-1'),
      target: secret('app_clone', 'New-Password-1'),
    };
    expect(
      await failure(
        engine.cloneUser({ ...request, principal: { kind: 'self', secret: request.source } }, stepContext()),
      ),
    ).toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message:
        'Creating the alternate role needs the admin secret named by "masterarn" (a role with CREATEROLE)',
      step: 'setSecret',
    });
    expect(
      await failure(
        engine.cloneUser(
          { ...request, target: secret('app_clone'), principal: adminPrincipal() },
          stepContext(),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message: 'The secret for "app_clone" has no password',
      step: 'setSecret',
    });
    expect(
      await failure(
        engine.cloneUser(
          { ...request, target: secret('app_clone', 'Caf\u00e9-Password-1'), principal: adminPrincipal() },
          stepContext(),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/^Cannot set this password: .*non-ASCII/),
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });
});

describe('setPasswords', () => {
  const change = (
    server: ReturnType<typeof fakeServer>,
    principal: Parameters<ReturnType<typeof postgresEngine>['setPasswords']>[0]['principal'],
    logger = createCapturingLogger(),
    passwords = ['New-Password-1'],
  ) =>
    engineOn(server).setPasswords(
      { user: secret('app', 'New-Password-1'), passwords, principal },
      stepContext({ logger }),
    );
  const self = { kind: 'self' as const, secret: secret('app', 'Old-Password-1') };

  it('as the role itself: one ALTER ROLE, logged without the password, the connection closed', async () => {
    const server = fakeServer({ logins: { app: 'Old-Password-1' } });
    const logger = createCapturingLogger();
    await expect(change(server, self, logger)).resolves.toEqual({ status: 'changed' });
    expect(server.statements).toEqual([expect.stringMatching(/^ALTER ROLE "app" PASSWORD /)]);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'Set a new SCRAM-SHA-256 verifier for "app" (as self)',
    ]);
    expect(server.open()).toBe(0);
  });

  it('as the admin: checks the role, then one ALTER ROLE', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const logger = createCapturingLogger();
    await expect(change(server, adminPrincipal(), logger)).resolves.toEqual({ status: 'changed' });
    expect(server.statements).toEqual([
      expect.stringMatching(/^SELECT oid/),
      expect.stringMatching(/^ALTER ROLE "app"/),
    ]);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'Set a new SCRAM-SHA-256 verifier for "app" (as admin)',
    ]);
  });

  it('a retry whose new password already logs in: nothing sent, said so, every connection closed', async () => {
    const server = fakeServer({ logins: { app: 'New-Password-1' } });
    const logger = createCapturingLogger();
    await expect(change(server, self, logger)).resolves.toEqual({ status: 'unchanged' });
    expect(server.statements).toEqual([]);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'The new password of "app" already logs in; nothing to change',
    ]);
    expect(server.open()).toBe(0);
  });

  it('neither password logs in: a refused credential naming why, nothing sent', async () => {
    const server = fakeServer({ logins: { app: 'Some-Other-Password-1' } });
    expect(await failure(change(server, self))).toMatchObject({
      code: 'CREDENTIAL_REJECTED',
      message:
        'Cannot log in as "app" with its current password to change it: the server refused the login (SQLSTATE 28P01)',
      step: 'setSecret',
    });
    expect(server.statements).toEqual([]);
  });

  it('a self principal without a password tries the empty one, never undefined', async () => {
    const server = fakeServer({ logins: { app: 'Old-Password-1' } });
    await failure(change(server, { kind: 'self', secret: secret('app') }));
    expect(server.configs[0]).toMatchObject({ user: 'app', password: '' });
  });

  it.each([
    [
      [],
      'A PostgreSQL role holds exactly one password (got 0): use the single-user or alternating-users strategy',
    ],
    [
      ['A-Password-1', 'B-Password-2'],
      'A PostgreSQL role holds exactly one password (got 2): use the single-user or alternating-users strategy',
    ],
    [
      [undefined as unknown as string],
      'A PostgreSQL role holds exactly one password (got 1): use the single-user or alternating-users strategy',
    ],
  ])('refuses %j passwords before connecting', async (passwords, message) => {
    const server = fakeServer({ logins: { app: 'Old-Password-1' } });
    expect(await failure(change(server, self, undefined, passwords))).toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message,
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });

  it('refuses another role than its own, and the control plane, before connecting', async () => {
    const server = fakeServer({ logins: { other: 'Old-Password-1' } });
    expect(
      await failure(change(server, { kind: 'self', secret: secret('other', 'Old-Password-1') })),
    ).toMatchObject({
      code: 'PERMISSION_DENIED',
      message: '"other" may only change its own password, not "app"\'s',
      step: 'setSecret',
    });
    expect(await failure(change(server, { kind: 'control-plane' }))).toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: 'PostgreSQL roles are changed with credentials, not a control plane',
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });

  it('names what failed when the server refuses the change', async () => {
    const error = sqlError('42501', 'permission denied to alter role');
    const server = fakeServer({
      logins: { app: 'Old-Password-1' },
      failOn: [{ statement: /^ALTER ROLE/, error }],
    });
    expect(await failure(change(server, self))).toMatchObject({
      code: 'PERMISSION_DENIED',
      message: 'Permission denied setting the password of "app": permission denied to alter role',
      cause: error,
    });
    expect(server.open()).toBe(0);
  });
});

describe('the admin connection', () => {
  const change = (
    server: ReturnType<typeof fakeServer>,
    principal: ReturnType<typeof adminPrincipal>,
    user = secret('app', 'New-Password-1'),
  ) => engineOn(server).setPasswords({ user, passwords: ['New-Password-1'], principal }, stepContext());

  it('names the admin and why it cannot log in', async () => {
    const server = fakeServer({ logins: { admin: 'Another-Password-1' }, roles: { app: APP } });
    expect(await failure(change(server, adminPrincipal()))).toMatchObject({
      code: 'CREDENTIAL_REJECTED',
      message:
        'The admin "admin" from arn:admin cannot log in: the server refused the login (SQLSTATE 28P01)',
      step: 'setSecret',
    });
  });

  it("goes to the admin's database, else the user's, else the default; and to the port the admin names", async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    await change(server, adminPrincipal({ dbname: 'admin_db' }), { ...secret('app'), dbname: 'user_db' });
    await change(server, adminPrincipal(), { ...secret('app'), dbname: 'user_db' });
    await change(server, adminPrincipal());
    await change(server, adminPrincipal({ port: '6543' }), { ...secret('app'), port: 6543 });
    expect(server.configs.map((c) => [c.database, c.port])).toEqual([
      ['admin_db', 5432],
      ['user_db', 5432],
      ['postgres', 5432],
      ['postgres', 6543],
    ]);
  });

  it("refuses an admin secret for another port of the user's host, naming both", async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    expect(await failure(change(server, adminPrincipal({ port: 6543 })))).toMatchObject({
      code: 'INVALID_SECRET',
      message:
        'The admin secret arn:admin is for db.internal:6543, but the user is on db.internal:5432; refusing to send admin credentials elsewhere',
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });

  it('refuses a managed master secret tagged with both an instance and a cluster, or with an ARN naming none', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const instance = 'arn:aws:rds:us-east-1:123456789012:db:orders';
    expect(
      await failure(
        change(
          server,
          adminPrincipal(
            {},
            {
              'aws:rds:primaryDBInstanceArn': instance,
              'aws:rds:primaryDBClusterArn': instance.replace(':db:', ':cluster:'),
            },
          ),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message:
        'The admin secret arn:admin is tagged as the master secret of both a DB instance and a DB cluster',
      step: 'setSecret',
    });
    expect(
      await failure(
        change(
          server,
          adminPrincipal({}, { 'aws:rds:primaryDBInstanceArn': 'arn:aws:rds:us-east-1:123456789012:db:' }),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message: 'The tag aws:rds:primaryDBInstanceArn of admin secret arn:admin names no DB instance (db:)',
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });

  it('accepts an Aurora PostgreSQL cluster as the managed admin’s database', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: {
        client: {
          send: async () => ({
            DBClusters: [{ Endpoint: 'db.internal', Port: 5432, Engine: 'aurora-postgresql' }],
          }),
        } as never,
      },
    });
    await expect(
      engine.setPasswords(
        {
          user: secret('app', 'New-Password-1'),
          passwords: ['New-Password-1'],
          principal: adminPrincipal(
            {},
            { 'aws:rds:primaryDBClusterArn': 'arn:aws:rds:us-east-1:123456789012:cluster:orders' },
          ),
        },
        stepContext(),
      ),
    ).resolves.toEqual({ status: 'changed' });
  });
});

describe('where the admin connects, and with what TLS', () => {
  const change = (
    engine: ReturnType<typeof postgresEngine>,
    principal: ReturnType<typeof adminPrincipal>,
    user: PostgresSecret = secret('app', 'New-Password-1'),
  ) => engine.setPasswords({ user, passwords: ['New-Password-1'], principal }, stepContext());
  const rdsNeverCalled = () => {
    const calls: unknown[] = [];
    return {
      calls,
      client: {
        async send(command: unknown) {
          calls.push(command);
          throw new Error('RDS was asked');
        },
      } as never,
    };
  };

  it('names every field of an admin secret that is wrong', async () => {
    const server = fakeServer();
    const principal = {
      kind: 'admin' as const,
      admin: { secretId: 'arn:admin', value: { user: 'admin' } as never, readTags: async () => ({}) },
    };
    expect(await failure(change(engineOn(server), principal))).toMatchObject({
      message: 'The admin secret arn:admin is invalid (fields: username, password)',
    });
  });

  it('names where it could not connect, and as whom', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: () => ({
        connect: async () => {
          throw refused;
        },
        query: async () => ({ rows: [] }),
        end: async () => {},
      }),
    });
    expect(
      await failure(engine.login({ user: secret('app', 'Current-Password-1') }, stepContext())),
    ).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message:
        'PostgreSQL is unavailable connecting to db.internal:5432 as "app": ECONNREFUSED: connect ECONNREFUSED 10.0.0.5:5432',
      step: 'setSecret',
      cause: refused,
    });
  });

  it('verifies TLS by default: a secret asking for less is refused, naming the mode', async () => {
    const server = fakeServer();
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    expect(
      await failure(engine.login({ user: { ...secret('app', 'P-1'), sslmode: 'require' } }, stepContext())),
    ).toMatchObject({
      message: expect.stringContaining('(TLS verify-full)'),
    });
    expect(server.configs).toEqual([]);
  });

  it('names each field of an admin secret that is not an object as value', async () => {
    const server = fakeServer();
    const principal = {
      kind: 'admin' as const,
      admin: { secretId: 'arn:admin', value: 'Admin-Password-1' as never, readTags: async () => ({}) },
    };
    expect(await failure(change(engineOn(server), principal))).toMatchObject({
      code: 'INVALID_SECRET',
      message: 'The admin secret arn:admin is invalid (fields: value)',
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });

  it('an admin secret that names its host is used there, even with an RDS tag (RDS is not asked)', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const rds = rdsNeverCalled();
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { client: rds.client },
    });
    await change(
      engine,
      adminPrincipal(
        { host: 'db.internal' },
        { 'aws:rds:primaryDBInstanceArn': 'arn:aws:rds:us-east-1:123456789012:db:orders' },
      ),
    );
    expect(rds.calls).toEqual([]);
    expect(server.configs).toEqual([
      expect.objectContaining({ user: 'admin', host: 'db.internal', port: 5432 }),
    ]);
  });

  it('refuses a managed master secret whose tag names a resource of another service, before asking RDS', async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const rds = rdsNeverCalled();
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { client: rds.client },
    });
    expect(
      await failure(
        change(
          engine,
          adminPrincipal(
            {},
            { 'aws:rds:primaryDBInstanceArn': 'arn:aws:redshift:us-east-1:123456789012:db:orders' },
          ),
        ),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message:
        'The tag aws:rds:primaryDBInstanceArn of admin secret arn:admin names a redshift resource, not rds',
    });
    expect(rds.calls).toEqual([]);
    expect(server.configs).toEqual([]);
  });

  it("connects the admin with the TLS the user's secret asks for, and refuses an admin secret asking for less", async () => {
    const server = fakeServer({ logins: { admin: 'Admin-Password-1' }, roles: { app: APP } });
    const disabled = postgresEngine({
      allowedHosts: ['db.internal'],
      tls: 'disable',
      clientFactory: server.factory,
    });
    await change(disabled, adminPrincipal(), { ...secret('app', 'New-Password-1'), ssl: true });
    expect(server.configs).toEqual([
      expect.objectContaining({ user: 'admin', ssl: { rejectUnauthorized: true } }),
    ]);
    const verified = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    expect(await failure(change(verified, adminPrincipal({ sslmode: 'disable' })))).toMatchObject({
      code: 'INVALID_SECRET',
      message:
        'The secret\'s "sslmode" asks for weaker TLS than this function uses (TLS verify-full); the secret cannot turn TLS or certificate checks off',
    });
    expect(server.configs).toHaveLength(1);
  });

  it('names every allowed host when a secret names another', async () => {
    const server = fakeServer();
    const engine = postgresEngine({
      allowedHosts: ['db.internal', 'replica.internal:6543'],
      clientFactory: server.factory,
    });
    expect(
      await failure(
        engine.login({ user: { ...secret('app', 'P-1'), host: 'attacker.example' } }, stepContext()),
      ),
    ).toMatchObject({
      code: 'INVALID_SECRET',
      message:
        "The secret's host attacker.example:5432 is not one of this function's allowed hosts (db.internal:5432, replica.internal:6543); refusing to send credentials there",
      step: 'setSecret',
    });
    expect(server.configs).toEqual([]);
  });
});

describe('login and preflight', () => {
  it('a secret without a password is refused without connecting', async () => {
    const server = fakeServer();
    await expect(engineOn(server).login({ user: secret('app') }, stepContext())).resolves.toEqual({
      status: 'rejected',
      reason: 'the secret has no password',
    });
    expect(server.configs).toEqual([]);
  });

  it("a refused login says the server's SQLSTATE", async () => {
    await expect(
      engineOn(fakeServer()).login({ user: secret('app', 'Wrong-Password-1') }, stepContext()),
    ).resolves.toEqual({
      status: 'rejected',
      reason: 'the server refused the login (SQLSTATE 28P01)',
    });
  });

  it('an accepted login runs SELECT 1 and closes the connection; a failing probe names the user', async () => {
    const server = fakeServer({ logins: { app: 'Current-Password-1' } });
    await expect(
      engineOn(server).login({ user: secret('app', 'Current-Password-1') }, stepContext()),
    ).resolves.toEqual({
      status: 'accepted',
    });
    expect(server.statements).toEqual(['SELECT 1']);
    expect(server.open()).toBe(0);
    const failing = fakeServer({
      logins: { app: 'Current-Password-1' },
      failOn: [{ statement: /^SELECT 1$/, error: sqlError('XX000', 'broken') }],
    });
    expect(
      await failure(engineOn(failing).login({ user: secret('app', 'Current-Password-1') }, stepContext())),
    ).toMatchObject({
      message: 'PostgreSQL failed checking the login of "app" (SQLSTATE XX000): broken',
    });
    expect(failing.open()).toBe(0);
  });

  it('preflight is ready for a secret at an allowed host, without connecting', async () => {
    const server = fakeServer();
    await expect(engineOn(server).preflight!({ user: secret('app') }, stepContext())).resolves.toEqual({
      status: 'ready',
    });
    expect(server.configs).toEqual([]);
  });
});

describe('timeouts near the Lambda deadline', () => {
  const timeoutsWith = async (remainingMs: number) => {
    const server = fakeServer({ logins: { app: 'Current-Password-1' } });
    await postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      connectTimeoutMs: 5_000,
      queryTimeoutMs: 15_000,
    }).login(
      { user: secret('app', 'Current-Password-1') },
      { ...stepContext(), remainingTimeMs: () => remainingMs },
    );
    const [config] = server.configs;
    return [config?.connectionTimeoutMillis, config?.query_timeout, config?.statement_timeout];
  };

  it('are capped at the (whole milliseconds of) time left, never under 100 ms', async () => {
    expect(await timeoutsWith(9_999.9)).toEqual([5_000, 9_999, 9_999]);
    expect(await timeoutsWith(1_234.5)).toEqual([1_234, 1_234, 1_234]);
    expect(await timeoutsWith(20)).toEqual([100, 100, 100]);
    expect(await timeoutsWith(Number.POSITIVE_INFINITY)).toEqual([5_000, 15_000, 15_000]);
  });
});
