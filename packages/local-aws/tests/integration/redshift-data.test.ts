import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAwsLogger } from '../../src/logger.ts';
import { sdkError } from '../support/clients.ts';

const ALICE_PASSWORD = 'Alice-Pass-12345';
const WRONG_PASSWORD = 'Not-Alices-Pass-999';

let server: PostgresServerHandle;
let aws: LocalAws;
let data: RedshiftDataClient;
let secrets: SecretsManagerClient;
let aliceSecretArn: string;
let wrongSecretArn: string;
const logLines: string[] = [];

const logger: LocalAwsLogger = {
  debug: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  info: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  warn: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
};

async function admin(sql: string, database = 'postgres'): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.connectionString({ database }) });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Polls DescribeStatement until the statement leaves the active states; returns every status seen. */
async function waitForStatement(
  id: string,
): Promise<{ final: DescribeStatementCommandOutput; seen: string[] }> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 400; attempt++) {
    const described = await data.send(new DescribeStatementCommand({ Id: id }));
    const status = described.Status ?? 'missing';
    if (seen.at(-1) !== status) seen.push(status);
    if (!['SUBMITTED', 'PICKED', 'STARTED'].includes(status)) return { final: described, seen };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`statement ${id} did not finish`);
}

async function run(input: ConstructorParameters<typeof ExecuteStatementCommand>[0]) {
  const { Id } = await data.send(new ExecuteStatementCommand(input));
  return waitForStatement(Id ?? '');
}

beforeAll(async () => {
  server = await startPostgresServer();
  await admin(`CREATE ROLE alice LOGIN PASSWORD '${ALICE_PASSWORD}'`);
  await admin('CREATE ROLE bob NOLOGIN');
  await admin('CREATE DATABASE dev');
  aws = await startLocalAws({
    logger,
    redshiftData: {
      clusters: { c1: server.connectionString() },
      workgroups: { wg1: { url: server.connectionString() } },
      resultPageSize: 10,
    },
  });
  const clientConfig = {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
    maxAttempts: 1,
  };
  data = new RedshiftDataClient(clientConfig);
  secrets = new SecretsManagerClient(clientConfig);
  const alice = await secrets.send(
    new CreateSecretCommand({
      Name: 'redshift/alice',
      SecretString: JSON.stringify({ engine: 'redshift', username: 'alice', password: ALICE_PASSWORD }),
    }),
  );
  aliceSecretArn = alice.ARN ?? '';
  const wrong = await secrets.send(
    new CreateSecretCommand({
      Name: 'redshift/alice-wrong',
      SecretString: JSON.stringify({ username: 'alice', password: WRONG_PASSWORD }),
    }),
  );
  wrongSecretArn = wrong.ARN ?? '';
});

afterAll(async () => {
  data?.destroy();
  secrets?.destroy();
  await aws?.stop();
  await server?.stop();
});

describe('Redshift Data API on a real PostgreSQL (real SDK client)', () => {
  it('runs a statement as the user in the secret and returns typed records', async () => {
    const { Id, ClusterIdentifier, Database, SecretArn, CreatedAt } = await data.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'c1',
        Database: 'dev',
        SecretArn: aliceSecretArn,
        Sql: "SELECT current_user AS who, 42::int4 AS n, 1.5::float8 AS d, NULL::text AS z, true AS b, 12.34::numeric(5,2) AS m, '\\x0102'::bytea AS blob, 'hé'::varchar(10) AS v",
      }),
    );
    expect(Id).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    expect({ ClusterIdentifier, Database, SecretArn }).toEqual({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      SecretArn: aliceSecretArn,
    });
    expect(CreatedAt).toBeInstanceOf(Date);
    const { final, seen } = await waitForStatement(Id ?? '');
    expect(final).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 1 });
    expect(final.Duration).toBeGreaterThan(0);
    expect(final.RedshiftPid).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe('FINISHED');

    const result = await data.send(new GetStatementResultCommand({ Id }));
    expect(result.TotalNumRows).toBe(1);
    expect(result.Records).toEqual([
      [
        { stringValue: 'alice' },
        { longValue: 42 },
        { doubleValue: 1.5 },
        { isNull: true },
        { booleanValue: true },
        { stringValue: '12.34' },
        { blobValue: new Uint8Array([1, 2]) },
        { stringValue: 'hé' },
      ],
    ]);
    expect(result.ColumnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ['who', 'name'],
      ['n', 'int4'],
      ['d', 'float8'],
      ['z', 'text'],
      ['b', 'bool'],
      ['m', 'numeric'],
      ['blob', 'bytea'],
      ['v', 'varchar'],
    ]);
    expect(result.ColumnMetadata?.[5]).toMatchObject({ precision: 5, scale: 2, isSigned: true });
    expect(result.ColumnMetadata?.[7]).toMatchObject({ length: 10 });
  });

  it('FAILs the statement with the server message when the secret holds a wrong password', async () => {
    const { final } = await run({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      SecretArn: wrongSecretArn,
      Sql: 'SELECT 1',
    });
    expect(final.Status).toBe('FAILED');
    expect(final.Error).toBe('FATAL: password authentication failed for user "alice"');
    expect(final.Error).not.toContain(WRONG_PASSWORD);
    await expect(data.send(new GetStatementResultCommand({ Id: final.Id }))).rejects.toHaveProperty(
      'name',
      'ResourceNotFoundException',
    );
  });

  it('reads the AWSCURRENT value when the statement runs, so a rotated secret takes effect', async () => {
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: wrongSecretArn,
        SecretString: JSON.stringify({ username: 'alice', password: ALICE_PASSWORD }),
      }),
    );
    const { final } = await run({
      WorkgroupName: 'wg1',
      Database: 'dev',
      SecretArn: wrongSecretArn,
      Sql: 'SELECT 1',
    });
    expect(final).toMatchObject({ Status: 'FINISHED', WorkgroupName: 'wg1' });
  });

  it('runs DbUser statements as that user through the admin connection', async () => {
    const { final } = await run({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      DbUser: 'bob',
      Sql: 'SELECT current_user',
    });
    expect(final).toMatchObject({ Status: 'FINISHED', DbUser: 'bob' });
    const result = await data.send(new GetStatementResultCommand({ Id: final.Id }));
    expect(result.Records).toEqual([[{ stringValue: 'bob' }]]);

    const missing = await run({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      DbUser: 'nobody',
      Sql: 'SELECT 1',
    });
    expect(missing.final).toMatchObject({ Status: 'FAILED', Error: 'ERROR: role "nobody" does not exist' });
  });

  it('refuses a statement with neither SecretArn nor DbUser instead of running it as the superuser', async () => {
    await admin('CREATE TABLE public.anonymous_writes (who text)', 'dev');
    const listed = async () =>
      (await data.send(new ListStatementsCommand({ Status: 'ALL' }))).Statements ?? [];
    const statementsBefore = (await listed()).length;
    const attempts = [
      data.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'c1',
          Database: 'dev',
          Sql: 'INSERT INTO public.anonymous_writes VALUES (current_user)',
        }),
      ),
      data.send(
        new ExecuteStatementCommand({
          WorkgroupName: 'wg1',
          Database: 'dev',
          Sql: 'INSERT INTO public.anonymous_writes VALUES (current_user)',
        }),
      ),
      data.send(
        new BatchExecuteStatementCommand({
          ClusterIdentifier: 'c1',
          Database: 'dev',
          Sqls: [
            'INSERT INTO public.anonymous_writes VALUES (current_user)',
            "CREATE ROLE intruder SUPERUSER LOGIN PASSWORD 'intruder-password-1'",
          ],
        }),
      ),
    ];
    for (const attempt of attempts) {
      expect(await sdkError(attempt)).toMatchObject({
        name: 'ValidationException',
        status: 400,
        message: expect.stringMatching(/^User: anonymous is not authorized to perform: redshift/),
      });
    }
    // Nothing ran: no row, no role, no statement in the history.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await admin('SELECT count(*)::int AS n FROM public.anonymous_writes', 'dev')).rows[0].n).toBe(0);
    expect((await admin("SELECT 1 FROM pg_roles WHERE rolname = 'intruder'")).rowCount).toBe(0);
    expect((await listed()).length).toBe(statementsBefore);
  });

  it('binds :name parameters as values and keeps them out of the SQL text', async () => {
    const sql = "SELECT :a::int4 + 1 AS n, :b AS s, 'x:y' AS literal -- :ignored";
    const { final } = await run({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      SecretArn: aliceSecretArn,
      Sql: sql,
      Parameters: [
        { name: 'a', value: '41' },
        { name: 'b', value: "it's" },
      ],
    });
    expect(final).toMatchObject({
      Status: 'FINISHED',
      QueryString: sql,
      QueryParameters: [
        { name: 'a', value: '41' },
        { name: 'b', value: "it's" },
      ],
    });
    const result = await data.send(new GetStatementResultCommand({ Id: final.Id }));
    expect(result.Records).toEqual([[{ longValue: 42 }, { stringValue: "it's" }, { stringValue: 'x:y' }]]);

    await expect(
      data.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'c1',
          Database: 'dev',
          DbUser: 'bob',
          Sql: 'SELECT :missing',
        }),
      ),
    ).rejects.toHaveProperty('name', 'ValidationException');
  });

  it('pages GetStatementResult with NextToken', async () => {
    const { final } = await run({
      ClusterIdentifier: 'c1',
      Database: 'dev',
      SecretArn: aliceSecretArn,
      Sql: 'SELECT generate_series(1, 25) AS n',
    });
    const values: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await data.send(new GetStatementResultCommand({ Id: final.Id, NextToken: token }));
      expect(page.TotalNumRows).toBe(25);
      values.push(...(page.Records ?? []).map((row) => Number(row[0]?.longValue)));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(values).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
  });

  it('runs BatchExecuteStatement in one transaction and rolls it back when a statement fails', async () => {
    const ok = await data.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'c1',
        Database: 'dev',
        DbUser: 'postgres',
        StatementName: 'batch-ok',
        Sqls: [
          'CREATE TABLE t_batch (n int)',
          'INSERT INTO t_batch VALUES (1), (2)',
          'SELECT count(*) AS c FROM t_batch',
        ],
      }),
    );
    const done = await waitForStatement(ok.Id ?? '');
    expect(done.final.Status).toBe('FINISHED');
    expect(done.final.SubStatements?.map((sub) => [sub.Id, sub.Status, sub.ResultRows])).toEqual([
      [`${ok.Id}:1`, 'FINISHED', -1],
      [`${ok.Id}:2`, 'FINISHED', 2],
      [`${ok.Id}:3`, 'FINISHED', 1],
    ]);
    const counted = await data.send(new GetStatementResultCommand({ Id: `${ok.Id}:3` }));
    expect(counted.Records).toEqual([[{ longValue: 2 }]]);

    const bad = await data.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'c1',
        Database: 'dev',
        DbUser: 'postgres',
        Sqls: [
          'INSERT INTO t_batch VALUES (3)',
          'SELECT * FROM no_such_table',
          'INSERT INTO t_batch VALUES (4)',
        ],
      }),
    );
    const failed = await waitForStatement(bad.Id ?? '');
    expect(failed.final.Status).toBe('FAILED');
    expect(failed.final.Error).toBe('ERROR: relation "no_such_table" does not exist');
    expect(failed.final.SubStatements?.map((sub) => sub.Status)).toEqual(['FINISHED', 'FAILED', 'ABORTED']);
    const rows = await new pg.Client({ connectionString: server.connectionString({ database: 'dev' }) });
    await rows.connect();
    try {
      expect((await rows.query('SELECT n FROM t_batch ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await rows.end();
    }
  });

  it('cancels a running statement (ABORTED) and refuses to cancel a finished one', async () => {
    const { Id } = await data.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'c1',
        Database: 'dev',
        DbUser: 'postgres',
        Sql: 'SELECT pg_sleep(20)',
      }),
    );
    for (let attempt = 0; attempt < 200; attempt++) {
      const described = await data.send(new DescribeStatementCommand({ Id }));
      if (described.Status === 'STARTED') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelled = await data.send(new CancelStatementCommand({ Id }));
    expect(cancelled.Status).toBe(true);
    const { final } = await waitForStatement(Id ?? '');
    expect(final.Status).toBe('ABORTED');
    await expect(data.send(new CancelStatementCommand({ Id }))).rejects.toHaveProperty(
      'name',
      'ValidationException',
    );
  });

  it('lists statements newest first, filtered by name and status', async () => {
    const listed = await data.send(
      new ListStatementsCommand({ StatementName: 'batch-', Status: 'FINISHED' }),
    );
    expect(
      listed.Statements?.map((statement) => [statement.StatementName, statement.IsBatchStatement]),
    ).toEqual([['batch-ok', true]]);
    expect(listed.Statements?.[0]?.QueryStrings).toHaveLength(3);
    const failed = await data.send(new ListStatementsCommand({ Status: 'FAILED', MaxResults: 1 }));
    expect(failed.Statements).toHaveLength(1);
    expect(failed.NextToken).toBeDefined();
    expect(failed.Statements?.[0]?.CreatedAt).toBeInstanceOf(Date);
  });

  it('answers bad requests with the API error classes', async () => {
    await expect(
      data.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'nope',
          Database: 'dev',
          DbUser: 'bob',
          Sql: 'SELECT 1',
        }),
      ),
    ).rejects.toHaveProperty('name', 'ResourceNotFoundException');
    await expect(
      data.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'c1',
          WorkgroupName: 'wg1',
          Database: 'dev',
          SecretArn: aliceSecretArn,
          Sql: 'SELECT 1',
        }),
      ),
    ).rejects.toHaveProperty('name', 'ValidationException');
    await expect(
      data.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'c1',
          Database: 'dev',
          DbUser: 'bob',
          SecretArn: aliceSecretArn,
          Sql: 'SELECT 1',
        }),
      ),
    ).rejects.toHaveProperty('name', 'ValidationException');
    await expect(
      data.send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })),
    ).rejects.toHaveProperty('name', 'ResourceNotFoundException');
    await expect(data.send(new DescribeStatementCommand({ Id: 'not-an-id' }))).rejects.toHaveProperty(
      'name',
      'ValidationException',
    );
  });

  it('stores the statement text as Redshift does but never logs it, nor any password', async () => {
    const sql = "ALTER USER bob PASSWORD 'md5d41d8cd98f00b204e9800998ecf8427e'";
    const { final } = await run({ ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'postgres', Sql: sql });
    expect(final).toMatchObject({ Status: 'FINISHED', QueryString: sql, HasResultSet: false });
    const joined = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of ['md5d41d8cd98f00b204e9800998ecf8427e', ALICE_PASSWORD, WRONG_PASSWORD, "it's"]) {
      expect(joined).not.toContain(secret);
    }
  });
});
