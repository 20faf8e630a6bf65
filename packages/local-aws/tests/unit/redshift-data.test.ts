import { createServer, type Server } from 'node:net';
import { AwsApiError, type ServiceContext } from '@rotor/local-aws/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedshiftDataService } from '../../src/redshift-data/index.ts';
import { columnMetadata, toField } from '../../src/redshift-data/records.ts';
import { bindParameters, readParameters } from '../../src/redshift-data/sql-parameters.ts';

async function errorCode(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof AwsApiError ? error.code : `not an AwsApiError: ${String(error)}`;
  }
  return undefined;
}

describe('named parameters', () => {
  it('rewrites :name to $n, reusing the number for a repeated name', () => {
    expect(
      bindParameters('SELECT :a, :b, :a', [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ]),
    ).toEqual({ text: 'SELECT $1, $2, $1', values: ['1', '2'] });
  });

  it('leaves casts, literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT x::int, ':a', "col:a", 'it''s :a' -- :a\n/* :a */ FROM t WHERE y = :a`;
    expect(bindParameters(sql, [{ name: 'a', value: 'v' }])).toEqual({
      text: `SELECT x::int, ':a', "col:a", 'it''s :a' -- :a\n/* :a */ FROM t WHERE y = $1`,
      values: ['v'],
    });
  });

  it('refuses a placeholder with no parameter, and bad parameter lists', async () => {
    expect(await errorCode(() => bindParameters('SELECT :p', undefined))).toBe('ValidationException');
    expect(await errorCode(() => readParameters([{ name: 'bad-name', value: 'x' }]))).toBe(
      'ValidationException',
    );
    expect(await errorCode(() => readParameters([{ name: 'p', value: '' }]))).toBe('ValidationException');
    expect(await errorCode(() => readParameters([]))).toBe('ValidationException');
    expect(
      await errorCode(() =>
        readParameters([
          { name: 'p', value: 'a' },
          { name: 'p', value: 'b' },
        ]),
      ),
    ).toBe('ValidationException');
    expect(readParameters(undefined)).toBeUndefined();
  });
});

describe('records', () => {
  it('maps PostgreSQL text output to Data API fields by type', () => {
    expect(toField(null, 23)).toEqual({ isNull: true });
    expect(toField('t', 16)).toEqual({ booleanValue: true });
    expect(toField('f', 16)).toEqual({ booleanValue: false });
    expect(toField('-7', 20)).toEqual({ longValue: -7 });
    expect(toField('2.5', 701)).toEqual({ doubleValue: 2.5 });
    expect(toField('12.30', 1700)).toEqual({ stringValue: '12.30' });
    expect(toField('\\xdeadbeef', 17)).toEqual({
      blobValue: Buffer.from('deadbeef', 'hex').toString('base64'),
    });
    expect(toField('2026-11-23 11:00:00', 1114)).toEqual({ stringValue: '2026-11-23 11:00:00' });
  });

  it('reads precision, scale and length from the type modifier', () => {
    expect(
      columnMetadata({ name: 'm', dataTypeID: 1700, dataTypeModifier: ((10 << 16) | 3) + 4 }, 'numeric'),
    ).toMatchObject({
      precision: 10,
      scale: 3,
      isSigned: true,
    });
    expect(
      columnMetadata({ name: 'v', dataTypeID: 1043, dataTypeModifier: 64 + 4 }, 'varchar'),
    ).toMatchObject({
      length: 64,
      isCaseSensitive: true,
      isSigned: false,
    });
  });
});

describe('Redshift Data service without a reachable server', () => {
  // A port that accepts and immediately closes: connecting fails fast and deterministically.
  let closer: Server;
  let port = 0;
  beforeAll(async () => {
    closer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', () => resolve()));
    port = (closer.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => closer.close(() => resolve())));

  const context: ServiceContext = {
    region: 'us-east-1',
    accountId: '111122223333',
    readSecretString: async () => undefined,
  };

  it('limits active statements with ActiveStatementsExceededException', async () => {
    const service = createRedshiftDataService({
      clusters: { c1: `postgres://admin:pw@127.0.0.1:${port}/postgres` },
      maxActiveStatements: 1,
    });
    const input = { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u', Sql: 'SELECT 1' };
    await service.handle('ExecuteStatement', input, context);
    expect(await errorCode(() => service.handle('ExecuteStatement', input, context))).toBe(
      'ActiveStatementsExceededException',
    );
    await service.settled();
    await expect(service.handle('ExecuteStatement', input, context)).resolves.toHaveProperty('Id');
    await service.close?.();
  });

  it('FAILs a statement whose secret cannot be read, and reuses a statement for a repeated ClientToken', async () => {
    const service = createRedshiftDataService({
      defaultTarget: { url: `postgres://a:b@127.0.0.1:${port}/x` },
    });
    const input = {
      ClusterIdentifier: 'any-cluster',
      Database: 'dev',
      SecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:missing-AbCdEf',
      Sql: 'SELECT 1',
      ClientToken: 'token-1',
    };
    const first = await service.handle('ExecuteStatement', input, context);
    const again = await service.handle('ExecuteStatement', input, context);
    expect(again.Id).toBe(first.Id);
    await service.settled();
    const described = await service.handle('DescribeStatement', { Id: first.Id }, context);
    expect(described).toMatchObject({
      Status: 'FAILED',
      Error: `Secrets Manager secret ${input.SecretArn} could not be read.`,
    });
  });

  it('aborts a statement cancelled before it started, without connecting', async () => {
    const service = createRedshiftDataService({ clusters: { c1: `postgres://a:b@127.0.0.1:${port}/x` } });
    const submitted = await service.handle(
      'ExecuteStatement',
      { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u', Sql: 'SELECT 1' },
      context,
    );
    expect(await service.handle('DescribeStatement', { Id: submitted.Id }, context)).toMatchObject({
      Status: 'SUBMITTED',
    });
    await expect(service.handle('CancelStatement', { Id: submitted.Id }, context)).resolves.toEqual({
      Status: true,
    });
    await service.settled();
    const described = await service.handle('DescribeStatement', { Id: submitted.Id }, context);
    expect(described).toMatchObject({ Status: 'ABORTED', RedshiftPid: 0 });
    expect(described.Error).toBeUndefined();
  });

  it('validates input before anything runs', async () => {
    const service = createRedshiftDataService({ clusters: { c1: `postgres://a:b@127.0.0.1:${port}/x` } });
    // Each case breaks one rule; the others hold (DbUser present), so each refusal is for its own reason.
    const cases: Array<Record<string, unknown>> = [
      { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u' },
      { ClusterIdentifier: 'c1', DbUser: 'u', Sql: 'SELECT 1' },
      { Database: 'dev', DbUser: 'u', Sql: 'SELECT 1' },
      { WorkgroupName: 'w', DbUser: 'u', Database: 'dev', Sql: 'SELECT 1' },
      { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u', Sql: 'SELECT 1', SessionKeepAliveSeconds: 60 },
      { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u', Sql: 'SELECT 1', ResultFormat: 'CSV' },
      { ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'u', Sql: 'x'.repeat(100_001) },
    ];
    for (const input of cases) {
      expect(
        await errorCode(() => service.handle('ExecuteStatement', input, context)),
        Object.keys(input).join(),
      ).toBe('ValidationException');
    }
    expect(
      await errorCode(() =>
        service.handle(
          'BatchExecuteStatement',
          { ClusterIdentifier: 'c1', Database: 'd', DbUser: 'u', Sqls: [] },
          context,
        ),
      ),
    ).toBe('ValidationException');
    expect(
      await errorCode(() =>
        service.handle(
          'BatchExecuteStatement',
          {
            ClusterIdentifier: 'c1',
            Database: 'd',
            DbUser: 'u',
            Sqls: ['SELECT :a'],
            Parameters: [{ name: 'a', value: '1' }],
          },
          context,
        ),
      ),
    ).toBe('ValidationException');
    expect(await errorCode(() => service.handle('ListStatements', { MaxResults: 101 }, context))).toBe(
      'ValidationException',
    );
    expect(await errorCode(() => service.handle('ListStatements', { Status: 'DONE' }, context))).toBe(
      'ValidationException',
    );
    expect(await errorCode(() => service.handle('GetStatementResultV2', {}, context))).toBe(
      'UnknownOperationException',
    );
    const listed = await service.handle('ListStatements', {}, context);
    expect(listed.Statements).toEqual([]);
  });

  it('refuses a statement with neither SecretArn nor DbUser: there is no IAM identity to run it as', async () => {
    const target = `postgres://a:b@127.0.0.1:${port}/x`;
    const service = createRedshiftDataService({ clusters: { c1: target }, workgroups: { w1: target } });
    const refusal = async (operation: string, input: Record<string, unknown>) => {
      try {
        await service.handle(operation, input, context);
      } catch (error) {
        return error instanceof AwsApiError ? { code: error.code, message: error.message } : String(error);
      }
      return 'accepted';
    };
    expect(
      await refusal('ExecuteStatement', { ClusterIdentifier: 'c1', Database: 'dev', Sql: 'SELECT 1' }),
    ).toEqual({
      code: 'ValidationException',
      message:
        'User: anonymous is not authorized to perform: redshift:GetClusterCredentialsWithIAM on resource: ' +
        'arn:aws:redshift:us-east-1:111122223333:dbname:c1/dev (the local endpoint has no IAM identities; ' +
        'pass SecretArn or DbUser).',
    });
    expect(
      await refusal('BatchExecuteStatement', { WorkgroupName: 'w1', Database: 'dev', Sqls: ['SELECT 1'] }),
    ).toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining(
        'redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:us-east-1:111122223333:workgroup/w1',
      ),
    });
    expect((await service.handle('ListStatements', {}, context)).Statements).toEqual([]);
  });
});
