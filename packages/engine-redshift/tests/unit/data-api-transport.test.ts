import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { AdminSecret } from '@rotor/core/engine';
import { type RedshiftSecret, redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDataApiSession } from '../../src/data-api-transport.ts';
import { md5PasswordHash } from '../../src/sql.ts';
import { allText, stepContext } from '../support/step-context.ts';

const dataApi = mockClient(RedshiftDataClient);
const client = new RedshiftDataClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});

const PENDING_PASSWORD = 'PendingPassw0rdAbc123';
const CURRENT_PASSWORD = 'CurrentPassw0rdXyz789';
const ADMIN_PASSWORD = 'AdminPassw0rdQwe456';
const ADMIN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-QwErTy';

function secret(overrides: Record<string, unknown> = {}): RedshiftSecret {
  return redshiftSecretSchema.parse({
    engine: 'redshift',
    host: 'analytics.abc123xyz.us-east-1.redshift.amazonaws.com',
    port: 5439,
    username: 'app',
    password: PENDING_PASSWORD,
    dbname: 'warehouse',
    dbClusterIdentifier: 'analytics',
    ...overrides,
  });
}

const admin: AdminSecret = {
  secretId: ADMIN_ARN,
  value: {
    engine: 'redshift',
    host: 'analytics.abc123xyz.us-east-1.redshift.amazonaws.com',
    port: 5439,
    username: 'admin',
    password: ADMIN_PASSWORD,
  },
  readTags: async () => ({}),
};

function everythingSent(): string {
  return JSON.stringify(dataApi.calls().map((call) => call.args[0].input));
}

beforeEach(() => {
  dataApi.reset();
});

describe('data-api transport: single user', () => {
  it('changes the password as the rotated secret (AWSCURRENT), sending only the md5 hash', async () => {
    dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-1' });
    dataApi
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: 'stmt-1', Status: 'SUBMITTED' })
      .resolvesOnce({ Id: 'stmt-1', Status: 'STARTED' })
      .resolves({ Id: 'stmt-1', Status: 'FINISHED', HasResultSet: false });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    const context = stepContext();
    const current = secret({ password: CURRENT_PASSWORD });

    await engine.setPasswords(
      { user: secret(), passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: current } },
      context,
    );

    const batch = dataApi.commandCalls(BatchExecuteStatementCommand);
    expect(batch).toHaveLength(1);
    expect(batch[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'analytics',
      SecretArn: context.secretId,
      Database: 'warehouse',
      Sqls: [`ALTER USER "app" PASSWORD '${md5PasswordHash(PENDING_PASSWORD, 'app')}'`],
      StatementName: expect.stringMatching(/^rotor-[0-9a-f]{40}$/),
    });
    expect(dataApi.commandCalls(DescribeStatementCommand)).toHaveLength(3);
    expect(everythingSent()).not.toContain(PENDING_PASSWORD);
    expect(everythingSent()).not.toContain(CURRENT_PASSWORD);
    expect(allText(context.lines)).not.toContain(PENDING_PASSWORD);
  });

  it('splits more than 40 statements into several batches and says so', async () => {
    dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-big' });
    dataApi.on(DescribeStatementCommand).resolves({ Id: 'stmt-big', Status: 'FINISHED' });
    const context = stepContext();
    const session = openDataApiSession(
      {
        client,
        target: { clusterIdentifier: 'analytics' },
        identity: { secretArn: ADMIN_ARN },
        database: 'dev',
        statementTimeoutMs: 5_000,
        pollIntervalMs: 10,
      },
      context,
    );
    const statements = Array.from(
      { length: 45 },
      (_, index) => `GRANT SELECT ON TABLE "s"."t${index}" TO "c"`,
    );
    await session.transaction(statements);
    const batches = dataApi.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input.Sqls);
    expect(batches.map((sqls) => sqls?.length)).toEqual([40, 5]);
    expect(batches.flat()).toEqual(statements);
    expect(allText(context.lines)).toMatch(/2 Data API batches/);
  });

  it('names each change after the rotation, and a refused retry finds the committed first attempt', async () => {
    const sql = `ALTER USER "app" PASSWORD '${md5PasswordHash(PENDING_PASSWORD, 'app')}'`;
    dataApi.on(BatchExecuteStatementCommand).resolvesOnce({ Id: 'first' }).resolves({ Id: 'retry' });
    dataApi
      .on(DescribeStatementCommand, { Id: 'first' })
      .resolves({ Id: 'first', Status: 'FINISHED' })
      .on(DescribeStatementCommand, { Id: 'retry' })
      .resolves({
        Id: 'retry',
        Status: 'FAILED',
        Error: 'FATAL: password authentication failed for user "app"',
      });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    const change = (token: string) =>
      engine.setPasswords(
        { user: secret(), passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: secret() } },
        stepContext({ clientRequestToken: token }),
      );
    await change('rotation-a');
    const name = dataApi.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input.StatementName;
    expect(name).toMatch(/^rotor-[0-9a-f]{40}$/);
    expect(name).not.toContain('rotation-a');
    dataApi.on(ListStatementsCommand).callsFake((input) => ({
      Statements:
        input.StatementName === name
          ? [
              {
                Id: 'first',
                StatementName: name,
                Status: 'FINISHED',
                IsBatchStatement: true,
                QueryStrings: [sql],
              },
            ]
          : [],
    }));

    await change('rotation-a');
    const list = dataApi.commandCalls(ListStatementsCommand)[0]!.args[0].input;
    expect(list).toMatchObject({ StatementName: name, Status: 'FINISHED' });
    // Another rotation's refusal is not excused by this one's history.
    await expect(change('rotation-b')).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED' });
  });

  it('reports logins as skipped: the Data API cannot present a given password', async () => {
    const engine = redshiftEngine({ transport: 'data-api', dataApi: { client, loginCheck: 'none' } });
    const outcome = await engine.login({ user: secret() }, stepContext());
    expect(outcome.status).toBe('skipped');
    expect(dataApi.calls()).toHaveLength(0);
  });

  it('uses temporary credentials (DbUser) on a cluster taken from the host', async () => {
    dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-2' });
    dataApi.on(DescribeStatementCommand).resolves({ Id: 'stmt-2', Status: 'FINISHED' });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, auth: 'temporary-credentials', loginCheck: 'none', pollIntervalMs: 10 },
    });
    const user = secret();
    delete (user as Record<string, unknown>).dbClusterIdentifier;
    await engine.setPasswords(
      { user, passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: user } },
      stepContext(),
    );
    const input = dataApi.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input;
    expect(input.ClusterIdentifier).toBe('analytics');
    expect(input.DbUser).toBe('app');
    expect(input.SecretArn).toBeUndefined();
  });

  it('refuses temporary credentials on a Serverless workgroup (no DbUser there), sending nothing', async () => {
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, auth: 'temporary-credentials', loginCheck: 'none' },
    });
    const serverless = secret({ host: 'reporting.123456789012.eu-west-1.redshift-serverless.amazonaws.com' });
    delete (serverless as Record<string, unknown>).dbClusterIdentifier;
    await expect(
      engine.setPasswords(
        { user: serverless, passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: serverless } },
        stepContext(),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringMatching(/provisioned clusters only/),
    });
    expect(dataApi.calls()).toHaveLength(0);
  });

  it('maps a failed statement to CredentialRejectedError', async () => {
    dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-3' });
    dataApi.on(DescribeStatementCommand).resolves({
      Id: 'stmt-3',
      Status: 'FAILED',
      Error: 'FATAL: password authentication failed for user "app"',
    });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    await expect(
      engine.setPasswords(
        { user: secret(), passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: secret() } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED', step: 'setSecret' });
  });

  it('maps IAM refusals to PermissionDeniedError', async () => {
    dataApi.on(BatchExecuteStatementCommand).rejects(
      Object.assign(new Error('not authorized to perform redshift-data:BatchExecuteStatement'), {
        name: 'AccessDeniedException',
      }),
    );
    const engine = redshiftEngine({ transport: 'data-api', dataApi: { client, loginCheck: 'none' } });
    await expect(
      engine.setPasswords(
        { user: secret(), passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: secret() } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('stops waiting at the Lambda deadline with a retryable StepTimeoutError', async () => {
    dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-4' });
    dataApi.on(DescribeStatementCommand).resolves({ Id: 'stmt-4', Status: 'STARTED' });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    await expect(
      engine.setPasswords(
        { user: secret(), passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: secret() } },
        stepContext({ signal: controller.signal }),
      ),
    ).rejects.toMatchObject({ code: 'STEP_TIMEOUT', retryable: true });
  });

  it('refuses when no cluster or workgroup can be found', async () => {
    const engine = redshiftEngine({ transport: 'data-api', dataApi: { client, loginCheck: 'none' } });
    const unknown = secret({ host: 'db.internal.example', dbClusterIdentifier: undefined });
    delete (unknown as Record<string, unknown>).dbClusterIdentifier;
    await expect(
      engine.setPasswords(
        { user: unknown, passwords: [PENDING_PASSWORD], principal: { kind: 'self', secret: unknown } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(dataApi.calls()).toHaveLength(0);
  });
});

/** A fake catalog answering the engine's discovery queries by their text. */
function serveCatalog(catalog: { users: string[]; groups: Record<string, string[]> }) {
  const statements = new Map<string, { sql: string; parameters: Record<string, string> }>();
  let counter = 0;
  dataApi.on(ExecuteStatementCommand).callsFake((input) => {
    counter += 1;
    const id = `q-${counter}`;
    statements.set(id, {
      sql: input.Sql,
      parameters: Object.fromEntries(
        (input.Parameters ?? []).map((p: { name: string; value: string }) => [p.name, p.value]),
      ),
    });
    return { Id: id };
  });
  dataApi.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
  dataApi.on(DescribeStatementCommand).callsFake((input) => ({
    Id: input.Id,
    Status: 'FINISHED',
    HasResultSet: input.Id !== 'batch-1',
  }));
  dataApi.on(GetStatementResultCommand).callsFake((input) => {
    const { sql, parameters } = statements.get(input.Id)!;
    const user = parameters.p1 ?? '';
    const column = (name: string) => ({ name });
    const text = (value: string) => ({ stringValue: value });
    if (sql.includes('version()')) {
      return {
        ColumnMetadata: [column('version')],
        Records: [[text('PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.77467')]],
      };
    }
    if (sql.includes('FROM pg_group')) {
      return {
        ColumnMetadata: [column('groname')],
        Records: (catalog.groups[user] ?? []).map((g) => [text(g)]),
      };
    }
    if (sql.includes('FROM pg_user WHERE usename')) {
      return catalog.users.includes(user)
        ? {
            ColumnMetadata: [
              column('usename'),
              column('usesuper'),
              column('usecreatedb'),
              column('useconfig'),
            ],
            Records: [
              [
                text(user),
                { booleanValue: false },
                { booleanValue: false },
                text('{"search_path=sales, public"}'),
              ],
            ],
          }
        : { ColumnMetadata: [column('usename')], Records: [] };
    }
    if (sql.includes('pg_user_info'))
      return { ColumnMetadata: [column('connlimit')], Records: [[text('UNLIMITED')]] };
    if (sql.includes('svv_user_grants')) return { ColumnMetadata: [column('role')], Records: [] };
    if (sql.includes('FROM pg_database')) {
      return {
        ColumnMetadata: [column('datname'), column('acl'), column('can_create'), column('can_temp')],
        Records: [
          // An explicit ACL without PUBLIC: TEMP held by the user must be granted to the clone.
          [
            text('warehouse'),
            text('rdsdb=CTc/rdsdb,app=T/rdsdb'),
            { booleanValue: false },
            { booleanValue: true },
          ],
          // The default ACL (NULL): PUBLIC may TEMP already, nothing to grant.
          [text('dev'), { isNull: true }, { booleanValue: false }, { booleanValue: true }],
        ],
      };
    }
    if (sql.includes('FROM pg_namespace WHERE')) {
      return {
        ColumnMetadata: [column('nspname'), column('can_usage'), column('can_create')],
        Records: [[text('sales'), { booleanValue: true }, { booleanValue: false }]],
      };
    }
    if (sql.includes('FROM pg_class')) {
      return {
        ColumnMetadata: [
          'nspname',
          'relname',
          'can_select',
          'can_insert',
          'can_update',
          'can_delete',
          'can_references',
        ].map(column),
        Records: [
          [
            text('sales'),
            text('orders'),
            { booleanValue: true },
            { booleanValue: false },
            { booleanValue: false },
            { booleanValue: false },
            { booleanValue: false },
          ],
        ],
      };
    }
    throw new Error(`unexpected query ${sql}`);
  });
  return statements;
}

describe('data-api transport: alternating users', () => {
  it('creates the clone as the admin secret with memberships, settings and privileges in one batch', async () => {
    const statements = serveCatalog({ users: ['app', 'admin'], groups: { app: ['readers'] } });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    const context = stepContext();
    const source = secret({ password: CURRENT_PASSWORD, masterarn: ADMIN_ARN });
    const target = secret({ username: 'app_clone', password: PENDING_PASSWORD, masterarn: ADMIN_ARN });

    await engine.cloneUser({ source, target, principal: { kind: 'admin', admin } }, context);

    for (const call of dataApi.commandCalls(ExecuteStatementCommand)) {
      expect(call.args[0].input.SecretArn).toBe(ADMIN_ARN);
      expect(call.args[0].input.ClusterIdentifier).toBe('analytics');
      expect(call.args[0].input.Sql).not.toMatch(/\$\d/);
    }
    expect([...statements.values()].some((s) => s.sql.includes(':p1'))).toBe(true);
    const batch = dataApi.commandCalls(BatchExecuteStatementCommand);
    expect(batch).toHaveLength(1);
    expect(batch[0]!.args[0].input.Sqls).toEqual([
      `CREATE USER "app_clone" PASSWORD '${md5PasswordHash(PENDING_PASSWORD, 'app_clone')}'`,
      'ALTER USER "app_clone" SET search_path TO "sales", "public"',
      'ALTER GROUP "readers" ADD USER "app_clone"',
      'GRANT TEMP ON DATABASE "warehouse" TO "app_clone"',
      'GRANT USAGE ON SCHEMA "sales" TO "app_clone"',
      'GRANT SELECT ON TABLE "sales"."orders" TO "app_clone"',
    ]);
    expect(everythingSent()).not.toContain(PENDING_PASSWORD);
    expect(everythingSent()).not.toContain(ADMIN_PASSWORD);
    expect(allText(context.lines)).toMatch(/Created alternate user "app_clone".*redshift.*1 groups/);
  });

  it('only changes the password when the clone exists', async () => {
    serveCatalog({ users: ['app', 'app_clone'], groups: {} });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    await engine.cloneUser(
      {
        source: secret({ password: CURRENT_PASSWORD }),
        target: secret({ username: 'app_clone', password: PENDING_PASSWORD }),
        principal: { kind: 'admin', admin },
      },
      stepContext(),
    );
    expect(dataApi.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input.Sqls).toEqual([
      `ALTER USER "app_clone" PASSWORD '${md5PasswordHash(PENDING_PASSWORD, 'app_clone')}'`,
    ]);
  });

  it('gives UserNotFoundError when the source user is missing, and writes nothing', async () => {
    serveCatalog({ users: [], groups: {} });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    await expect(
      engine.cloneUser(
        {
          source: secret({ password: CURRENT_PASSWORD }),
          target: secret({ username: 'app_clone' }),
          principal: { kind: 'admin', admin },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(dataApi.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  it('accepts a Redshift-managed admin secret (no host) through the Data API', async () => {
    serveCatalog({ users: ['app', 'app_clone'], groups: {} });
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 10 },
    });
    const managed: AdminSecret = {
      secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!analytics-admin-AbC',
      value: { username: 'admin', password: ADMIN_PASSWORD },
      readTags: async () => ({
        'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics',
      }),
    };
    await engine.cloneUser(
      {
        source: secret({ password: CURRENT_PASSWORD }),
        target: secret({ username: 'app_clone' }),
        principal: { kind: 'admin', admin: managed },
      },
      stepContext(),
    );
    expect(dataApi.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input.SecretArn).toBe(
      managed.secretId,
    );
  });

  it('refuses an admin secret for another host (confused deputy) before sending anything', async () => {
    const engine = redshiftEngine({ transport: 'data-api', dataApi: { client, loginCheck: 'none' } });
    const elsewhere: AdminSecret = { ...admin, value: { ...admin.value, host: 'evil.example.com' } };
    await expect(
      engine.cloneUser(
        {
          source: secret(),
          target: secret({ username: 'app_clone' }),
          principal: { kind: 'admin', admin: elsewhere },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET' });
    expect(dataApi.calls()).toHaveLength(0);
  });
});

describe('data-api transport: credentials', () => {
  it.each([
    ['secret-arn', { SecretArn: ADMIN_ARN }],
    ['temporary-credentials', { DbUser: 'admin' }],
  ] as const)(
    'sends every statement with credentials (%s), never as a bare IAM identity',
    async (auth, expected) => {
      serveCatalog({ users: ['app', 'admin'], groups: { app: ['readers'] } });
      const engine = redshiftEngine({
        transport: 'data-api',
        dataApi: { client, auth, loginCheck: 'none', pollIntervalMs: 10 },
      });
      await engine.cloneUser(
        {
          source: secret({ password: CURRENT_PASSWORD }),
          target: secret({ username: 'app_clone', password: PENDING_PASSWORD }),
          principal: { kind: 'admin', admin },
        },
        stepContext(),
      );
      const sent = [
        ...dataApi.commandCalls(ExecuteStatementCommand),
        ...dataApi.commandCalls(BatchExecuteStatementCommand),
      ].map((call) => call.args[0].input as { SecretArn?: string; DbUser?: string });
      expect(sent.length).toBeGreaterThan(3);
      for (const input of sent) {
        expect({ SecretArn: input.SecretArn, DbUser: input.DbUser }).toEqual({
          SecretArn: undefined,
          DbUser: undefined,
          ...expected,
        });
      }
    },
  );
});
