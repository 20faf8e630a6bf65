import {
  type PostgresSecret,
  postgresAdminSecretSchema,
  postgresEngine,
  postgresSecretSchema,
} from '@rotor/engine-postgres';
import { stepContext, TEST_FUNCTION_SCOPE } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import type { ClientFactory, SqlClient } from '../../src/postgres-client.ts';
import { SCRAM_VERIFIER_PATTERN, scramSha256Verifier, verifierProblem } from '../../src/scram.ts';

describe('scramSha256Verifier', () => {
  it('matches a verifier computed independently (Python hashlib: PBKDF2-HMAC-SHA256, RFC 5802 keys)', () => {
    const salt = Buffer.from([...Array(16).keys()]);
    expect(scramSha256Verifier('pencil', { salt })).toBe(
      'SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=',
    );
  });

  it('uses a fresh 16-byte salt each time', () => {
    const [a, b] = [scramSha256Verifier('same-password'), scramSha256Verifier('same-password')];
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split('$')[1]!.split(':')[1]!, 'base64')).toHaveLength(16);
  });

  it('accepts ASCII passwords (for which SASLprep changes nothing) and refuses the others', () => {
    expect(verifierProblem('Plain-ASCII !#$%&()*+,-.;<=>?[]^_`{|}~')).toBeUndefined();
    expect(verifierProblem('')).toMatch(/empty/);
    expect(verifierProblem('with\u0000nul')).toMatch(/NUL/);
    expect(verifierProblem('caf\u00e9-latte')).toMatch(/non-ASCII/);
  });

  it('accepts every ASCII character but NUL, controls and DEL too (PostgreSQL hashes pure ASCII unprepared)', () => {
    expect(verifierProblem('tab\there, DEL\u007f, escape\u001b')).toBeUndefined();
    expect(verifierProblem('\u0080')).toMatch(/non-ASCII/);
  });

  it('the verifier pattern admits exactly what goes inside the quoted literal: nothing that could close it', () => {
    const verifier = scramSha256Verifier('pencil', { salt: Buffer.from([...Array(16).keys()]) });
    expect(SCRAM_VERIFIER_PATTERN.test(verifier)).toBe(true);
    expect(SCRAM_VERIFIER_PATTERN.test(scramSha256Verifier('pencil', { iterations: 10_000 }))).toBe(true);
    const [head, keys] = verifier.split('$').slice(1) as [string, string];
    for (const altered of [
      `${verifier}'; DROP ROLE app; --`,
      `x${verifier}`,
      `${verifier}x`,
      verifier.replace('4096', 'many'),
      verifier.replace('4096:', ':'),
      verifier.replace('SCRAM-SHA-256', 'SCRAM-SHA-1'),
      `SCRAM-SHA-256$${head}$${keys.replace(':', "':")}`,
      `SCRAM-SHA-256$${head}$${keys.replace(':', '::')}`,
      `SCRAM-SHA-256$${head.replace('==', "='=")}$${keys}`,
      `SCRAM-SHA-256$${head.replace('==', '===')}$${keys}`,
      `SCRAM-SHA-256$${head}$${keys}===`,
      `SCRAM-SHA-256$${head}$=${keys}`,
      `SCRAM-SHA-256$${head}$${keys.replace(':', ':=')}`,
      `SCRAM-SHA-256$4096:$${keys}`,
      `SCRAM-SHA-256$${head}$:${keys.split(':')[1]}`,
      `SCRAM-SHA-256$${head}$${keys.split(':')[0]}:`,
    ]) {
      expect(SCRAM_VERIFIER_PATTERN.test(altered), altered).toBe(false);
    }
  });
});

describe('postgresSecretSchema', () => {
  it("accepts AWS's RDS secret shape, keeps unknown keys and refuses role names PostgreSQL would truncate", () => {
    const parsed = postgresSecretSchema.parse({
      engine: 'postgres',
      host: 'db.internal',
      port: '5432',
      username: 'app',
      password: 'x',
      dbname: 'orders',
      dbInstanceIdentifier: 'orders-1',
    });
    expect(parsed.dbInstanceIdentifier).toBe('orders-1');
    expect(postgresSecretSchema.safeParse({ host: 'h', username: 'a'.repeat(64) }).success).toBe(false);
    expect(postgresSecretSchema.safeParse({ host: 'h', username: '\u00e9'.repeat(32) }).success).toBe(false);
    expect(postgresSecretSchema.safeParse({ host: 'h', username: 'a'.repeat(63) }).success).toBe(true);
    expect(postgresSecretSchema.safeParse({ username: 'app' }).success).toBe(false);
  });
});

describe('postgresEngine options', () => {
  it('rejects unknown and out-of-range options with InvalidConfigurationError', () => {
    expect(() => postgresEngine({ tls: 'disable', sslmode: 'off' } as never)).toThrow(/Unrecognized key/);
    expect(() => postgresEngine({ scramIterations: 100 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIGURATION' }),
    );
  });

  it('declares one password per role, clones, synchronous changes and credential authority', () => {
    expect(postgresEngine()).toMatchObject({
      engineId: 'postgres',
      passwordsPerUser: 1,
      canCloneUsers: true,
      asyncChanges: false,
      changeAuthority: 'credentials',
    });
  });
});

/** A scripted server: logins succeed for the listed user/password pairs; every statement is recorded. */
function scriptedServer(logins: Record<string, string>, roles: Record<string, { oid: number }> = {}) {
  const statements: string[] = [];
  const connections: Array<{
    user: string;
    password: string;
    connectTimeoutMs: number | undefined;
    host: string | undefined;
    port: number | undefined;
    ssl: unknown;
  }> = [];
  const factory: ClientFactory = (config) => {
    const client: SqlClient = {
      async connect() {
        connections.push({
          user: String(config.user),
          password: String(config.password),
          connectTimeoutMs: config.connectionTimeoutMillis,
          host: config.host,
          port: config.port,
          ssl: config.ssl,
        });
        if (logins[String(config.user)] !== config.password) {
          throw Object.assign(new Error(`password authentication failed for user "${config.user}"`), {
            code: '28P01',
          });
        }
      },
      async query(text, values) {
        statements.push(values?.length ? `${text} -- ${JSON.stringify(values)}` : text);
        if (text.startsWith('SELECT oid')) {
          const role = roles[String(values?.[0])];
          return { rows: role ? [{ ...role, rolinherit: true, rolcreatedb: false, rolconnlimit: -1 }] : [] };
        }
        return { rows: [] };
      },
      async end() {},
    };
    return client;
  };
  return { factory, statements, connections };
}

const secret = (username: string, password: string): PostgresSecret => ({
  host: 'db.internal',
  username,
  password,
});

describe('postgresEngine statements (scripted server)', () => {
  it('changes its own password with one ALTER ROLE carrying a quoted identifier and a verifier', async () => {
    const server = scriptedServer({ 'we"ird': 'Old-Password-1' });
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    await engine.setPasswords(
      {
        user: secret('we"ird', 'New-Password-1'),
        passwords: ['New-Password-1'],
        principal: { kind: 'self', secret: secret('we"ird', 'Old-Password-1') },
      },
      stepContext(),
    );
    expect(server.statements).toHaveLength(1);
    expect(server.statements[0]).toMatch(/^ALTER ROLE "we""ird" PASSWORD 'SCRAM-SHA-256\$4096:[^']+'$/);
    expect(server.statements.join('\n')).not.toContain('New-Password-1');
  });

  it('treats a retry whose new password already logs in as done, without a statement', async () => {
    const server = scriptedServer({ app: 'New-Password-1' });
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    await engine.setPasswords(
      {
        user: secret('app', 'New-Password-1'),
        passwords: ['New-Password-1'],
        principal: { kind: 'self', secret: secret('app', 'Old-Password-1') },
      },
      stepContext(),
    );
    expect(server.statements).toEqual([]);
    expect(server.connections.map((c) => c.password)).toEqual(['Old-Password-1', 'New-Password-1']);
  });

  it('with an admin, checks the role exists first and writes nothing for a missing one', async () => {
    const server = scriptedServer({ admin: 'Admin-Password-1' });
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    await expect(
      engine.setPasswords(
        {
          user: secret('ghost', 'New-Password-1'),
          passwords: ['New-Password-1'],
          principal: {
            kind: 'admin',
            admin: {
              secretId: 'arn:admin',
              value: { username: 'admin', password: 'Admin-Password-1' },
              readTags: async () => ({}),
            },
          },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(server.statements.filter((s) => !s.startsWith('SELECT'))).toEqual([]);
  });

  it('never lets a connection outlast the time left before the Lambda deadline', async () => {
    const server = scriptedServer({ app: 'Current-Password-1' });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      connectTimeoutMs: 5_000,
    });
    await engine.login(
      { user: secret('app', 'Current-Password-1') },
      {
        ...stepContext(),
        remainingTimeMs: () => 1_234,
      },
    );
    await engine.login({ user: secret('app', 'Current-Password-1') }, stepContext());
    expect(server.connections.map((c) => c.connectTimeoutMs)).toEqual([1_234, 5_000]);
  });

  it('refuses two passwords and the control plane before connecting', async () => {
    const server = scriptedServer({});
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    await expect(
      engine.setPasswords(
        {
          user: secret('app', 'A-Password-1'),
          passwords: ['A-Password-1', 'B-Password-2'],
          principal: { kind: 'control-plane' },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    await expect(
      engine.setPasswords(
        {
          user: secret('app', 'A-Password-1'),
          passwords: ['A-Password-1'],
          principal: { kind: 'control-plane' },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(server.connections).toEqual([]);
  });

  it('names the fields of a malformed admin secret, never its values', async () => {
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: scriptedServer({}).factory,
    });
    const error = await engine
      .cloneUser(
        {
          source: secret('app', 'Old-Password-1'),
          target: secret('app_clone', 'New-Password-1'),
          principal: {
            kind: 'admin',
            admin: {
              secretId: 'arn:admin',
              value: { user: 'admin', password: 'Secret-Admin-9' },
              readTags: async () => ({}),
            },
          },
        },
        stepContext(),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringContaining('fields: username'),
    });
    expect((error as Error).message).not.toContain('Secret-Admin-9');
  });
});

describe('postgresEngine: where it may connect', () => {
  const admin = (value: Record<string, unknown>) => ({
    kind: 'admin' as const,
    admin: {
      secretId: 'arn:admin',
      value: { username: 'admin', password: 'Admin-Password-1', ...value },
      readTags: async () => ({}),
    },
  });

  it('connects nowhere without allowed hosts', async () => {
    const server = scriptedServer({ app: 'Current-Password-1' });
    const engine = postgresEngine({ clientFactory: server.factory });
    await expect(
      engine.login({ user: secret('app', 'Current-Password-1') }, stepContext()),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringMatching(/no allowed hosts/),
      step: 'setSecret',
    });
    expect(server.connections).toEqual([]);
  });

  it.each([
    ['another host', { host: 'attacker.example' }],
    ['another port of the allowed host', { port: 6543 }],
  ])('refuses a secret naming %s before any connection, in preflight too', async (_label, where) => {
    const server = scriptedServer({ app: 'Current-Password-1' });
    const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
    const redirected = { ...secret('app', 'Current-Password-1'), ...where };
    for (const attempt of [
      engine.login({ user: redirected }, stepContext()),
      engine.preflight!({ user: redirected }, stepContext({ step: 'createSecret' })),
    ]) {
      await expect(attempt).rejects.toMatchObject({
        code: 'INVALID_SECRET',
        message: expect.stringMatching(/not one of this function's allowed hosts \(db.internal:5432\)/),
      });
    }
    expect(server.connections).toEqual([]);
  });

  it.each([[{ ssl: false }], [{ sslmode: 'disable' }], [{ ssl: 'false' }]])(
    'refuses a secret whose %j would weaken TLS, before any connection',
    async (keys) => {
      const server = scriptedServer({ app: 'Current-Password-1' });
      const engine = postgresEngine({ allowedHosts: ['db.internal'], clientFactory: server.factory });
      await expect(
        engine.login({ user: { ...secret('app', 'Current-Password-1'), ...keys } }, stepContext()),
      ).rejects.toMatchObject({ code: 'INVALID_SECRET', message: expect.stringMatching(/weaker TLS/) });
      expect(server.connections).toEqual([]);
    },
  );

  it("sends the admin's password only to the user's own (allowed) server", async () => {
    const server = scriptedServer({ admin: 'Admin-Password-1' });
    const engine = postgresEngine({
      allowedHosts: ['db.internal', 'other.internal'],
      clientFactory: server.factory,
    });
    const change = (principal: ReturnType<typeof admin>) =>
      engine.setPasswords(
        { user: secret('app', 'New-Password-1'), passwords: ['New-Password-1'], principal },
        stepContext(),
      );
    await expect(change(admin({ host: 'other.internal' }))).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/refusing to send admin credentials elsewhere/),
    });
    expect(server.connections).toEqual([]);
  });
});

describe("the secret's engine and ssl keys", () => {
  it('refuses a secret (or admin secret) for another engine, naming the field', () => {
    for (const schema of [postgresSecretSchema, postgresAdminSecretSchema]) {
      const refused = schema.safeParse({ engine: 'mysql', host: 'h', username: 'app', password: 'p' });
      expect(refused.success).toBe(false);
      expect(refused.error?.issues[0]).toMatchObject({
        path: ['engine'],
        message: expect.stringMatching(/"postgres"/),
      });
      expect(
        schema.safeParse({ engine: 'postgres', host: 'h', username: 'app', password: 'p' }).success,
      ).toBe(true);
      expect(schema.safeParse({ host: 'h', username: 'app', password: 'p' }).success).toBe(true);
    }
  });

  it.each([
    [{ ssl: true }, { rejectUnauthorized: true }],
    [{ ssl: 'true' }, { rejectUnauthorized: true }],
    [{ sslmode: 'require' }, { rejectUnauthorized: false }],
    [{}, false],
  ])('with the function on TLS disable, a secret with %j connects with ssl %j', async (keys, ssl) => {
    const server = scriptedServer({ app: 'Current-Password-1' });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      tls: 'disable',
      clientFactory: server.factory,
    });
    await engine.login({ user: { ...secret('app', 'Current-Password-1'), ...keys } }, stepContext());
    expect(server.connections).toEqual([expect.objectContaining({ ssl })]);
  });
});

describe('password settings (AWS PostgreSQL function variables)', () => {
  it('shapes the policy core generates from', () => {
    const engine = postgresEngine({
      password: {
        length: 20,
        excludeCharacters: 'abc',
        excludeNumbers: true,
        excludePunctuation: true,
        excludeUppercase: false,
        excludeLowercase: false,
        requireEachIncludedType: false,
      },
    });
    expect(engine.passwordPolicy).toMatchObject({
      length: 20,
      excludeCharacters: 'abc',
      excludeNumbers: true,
      excludePunctuation: true,
      excludeUppercase: false,
      excludeLowercase: false,
      includeSpace: false,
      requireEachIncludedType: false,
    });
    expect(postgresEngine().passwordPolicy).toMatchObject({ length: 32, excludeCharacters: '"\'\\/@:' });
  });

  it.each([
    [{ length: 7 }, /length/],
    [
      { excludeUppercase: true, excludeLowercase: true, excludeNumbers: true, excludePunctuation: true },
      /every character/,
    ],
    [
      { length: 8, excludeCharacters: '', requireEachIncludedType: true, excludeCharacters2: 'x' },
      /Unrecognized/,
    ],
  ])('refuses %j when the engine is created', (password, message) => {
    expect(() => postgresEngine({ password } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIGURATION', message: expect.stringMatching(message) }),
    );
  });
});

describe('RDS-managed master secrets (no host; located through RDS)', () => {
  const INSTANCE_ARN = `arn:aws:rds:us-east-1:${TEST_FUNCTION_SCOPE.accountId}:db:orders`;
  const managedAdmin = (tags: Record<string, string>) => ({
    kind: 'admin' as const,
    admin: {
      secretId: 'arn:managed-admin',
      value: { username: 'admin', password: 'Admin-Password-1' },
      readTags: async () => tags,
    },
  });

  /** An RDS client that answers DescribeDBInstances / DescribeDBClusters from `databases`, recording calls. */
  function fakeRds(databases: Record<string, { host: string; port: number; engine: string } | Error>) {
    const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
    const client = {
      async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
        const name = command.constructor.name;
        calls.push({ command: name, input: command.input });
        const id = String(command.input.DBInstanceIdentifier ?? command.input.DBClusterIdentifier);
        const found = databases[id];
        if (found instanceof Error) throw found;
        if (!found) throw Object.assign(new Error(`${id} not found`), { name: 'DBInstanceNotFoundFault' });
        return name === 'DescribeDBInstancesCommand'
          ? { DBInstances: [{ Endpoint: { Address: found.host, Port: found.port }, Engine: found.engine }] }
          : { DBClusters: [{ Endpoint: found.host, Port: found.port, Engine: found.engine }] };
      },
    };
    return { client: client as never, calls };
  }

  const change = (engine: ReturnType<typeof postgresEngine>, tags: Record<string, string>) =>
    engine.setPasswords(
      { user: secret('app', 'New-Password-1'), passwords: ['New-Password-1'], principal: managedAdmin(tags) },
      stepContext(),
    );

  it("connects the admin at the instance's endpoint RDS reports, which is the user's server", async () => {
    const server = scriptedServer({ admin: 'Admin-Password-1' }, { app: { oid: 10 } });
    const rds = fakeRds({ [INSTANCE_ARN]: { host: 'db.internal', port: 5432, engine: 'postgres' } });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { client: rds.client },
    });
    await change(engine, { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN });
    expect(rds.calls).toEqual([
      { command: 'DescribeDBInstancesCommand', input: { DBInstanceIdentifier: INSTANCE_ARN } },
    ]);
    expect(server.connections).toEqual([
      expect.objectContaining({ user: 'admin', host: 'db.internal', port: 5432 }),
    ]);
  });

  it('asks DescribeDBClusters for a cluster-managed secret (Aurora PostgreSQL)', async () => {
    const clusterArn = INSTANCE_ARN.replace(':db:', ':cluster:');
    const server = scriptedServer({ admin: 'Admin-Password-1' }, { app: { oid: 10 } });
    const rds = fakeRds({ [clusterArn]: { host: 'db.internal', port: 5432, engine: 'aurora-postgresql' } });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { client: rds.client },
    });
    await change(engine, { 'aws:rds:primaryDBClusterArn': clusterArn });
    expect(rds.calls.map((call) => call.command)).toEqual(['DescribeDBClustersCommand']);
  });

  it.each([
    [
      'a tag naming another account (no RDS call)',
      { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN.replace('123456789012', '210987654321') },
      {},
      /outside this function's scope/,
    ],
    [
      'a tag naming a cluster where an instance belongs (no RDS call)',
      { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN.replace(':db:', ':cluster:') },
      {},
      /names no DB instance/,
    ],
    [
      'an instance on another server than the user',
      { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN },
      { [INSTANCE_ARN]: { host: 'other.internal', port: 5432, engine: 'postgres' } },
      /refusing to send admin credentials elsewhere/,
    ],
    [
      'an instance that runs MySQL',
      { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN },
      { [INSTANCE_ARN]: { host: 'db.internal', port: 5432, engine: 'mysql' } },
      /runs mysql, not PostgreSQL/,
    ],
    [
      'an instance RDS does not know',
      { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN },
      {},
      /DBInstanceNotFoundFault/,
    ],
    ['no host and no RDS tag', {}, {}, null],
  ] as const)(
    'refuses %s before the admin password goes anywhere',
    async (_name, tags, databases, message) => {
      const server = scriptedServer({ admin: 'Admin-Password-1' }, { app: { oid: 10 } });
      const rds = fakeRds(databases as never);
      const engine = postgresEngine({
        allowedHosts: ['db.internal', 'other.internal'],
        clientFactory: server.factory,
        rds: { client: rds.client },
      });
      const outcome = change(engine, tags as Record<string, string>);
      if (message === null) {
        // Not RDS-managed: the admin works on the user's own server, as before.
        await outcome;
        expect(server.connections).toEqual([expect.objectContaining({ user: 'admin', host: 'db.internal' })]);
        return;
      }
      await expect(outcome).rejects.toMatchObject({
        code: 'INVALID_SECRET',
        message: expect.stringMatching(message),
        step: 'setSecret',
      });
      expect(server.connections).toEqual([]);
      if (!Object.keys(databases).length && !String(message).includes('NotFound'))
        expect(rds.calls).toEqual([]);
    },
  );

  it('maps AccessDenied to a permission error naming the instance', async () => {
    const server = scriptedServer({ admin: 'Admin-Password-1' });
    const denied = Object.assign(new Error('not authorized to perform: rds:DescribeDBInstances'), {
      name: 'AccessDenied',
    });
    const rds = fakeRds({ [INSTANCE_ARN]: denied });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { client: rds.client },
    });
    await expect(change(engine, { 'aws:rds:primaryDBInstanceArn': INSTANCE_ARN })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringContaining(INSTANCE_ARN),
    });
    expect(server.connections).toEqual([]);
  });
});
