import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as Logs from '@aws-sdk/client-cloudwatch-logs';
import * as EC from '@aws-sdk/client-elasticache';
import * as Lambda from '@aws-sdk/client-lambda';
import * as RDS from '@aws-sdk/client-rds';
import * as Redshift from '@aws-sdk/client-redshift';
import * as RD from '@aws-sdk/client-redshift-data';
import * as RSS from '@aws-sdk/client-redshift-serverless';
import * as SM from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import {
  type CacheServers,
  type PostgresServerHandle,
  startCacheServers,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkShape, loadServiceModel, type ServiceModel } from '../support/service-models.ts';

/**
 * Every operation local-aws serves, called through the real SDK clients, and every response held against
 * AWS's own model of it (the SDK's service models): the JSON on the wire for the JSON protocols (members
 * known, required present, types and enum values valid), the parsed output for the XML ones, and every error
 * code among the service's modelled errors (or AWS's common ones).
 */
const fixture = fileURLToPath(new URL('../fixtures/rotation-function.mjs', import.meta.url));
/** Errors every AWS service may answer, outside each model (AWS's common errors). */
const COMMON_ERRORS = new Set([
  'ValidationException',
  'AccessDeniedException',
  'UnknownOperationException',
  'InvalidAction',
  'MissingAction',
  'SerializationException',
  'InternalFailure',
  'ThrottlingException',
  'MissingParameter',
]);

interface Recorded {
  service: string;
  operation: string;
  status: number;
  body: string;
  output?: unknown;
  errorCode?: string;
}

const recorded: Recorded[] = [];
let lastBody = '';

function recording<T extends { middlewareStack: { add: (...args: never[]) => void } }>(
  service: string,
  client: T,
): T {
  (client.middlewareStack as unknown as { add: (mw: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => Promise<{ output: unknown }>, context: { commandName: string }) =>
      async (args: unknown) => {
        const operation = context.commandName.replace(/Command$/, '');
        try {
          const result = await next(args);
          const status =
            (result.output as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
          recorded.push({ service, operation, status, body: lastBody, output: result.output });
          return result;
        } catch (error) {
          const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
          recorded.push({
            service,
            operation,
            status: e.$metadata?.httpStatusCode ?? 0,
            body: lastBody,
            errorCode: e.name,
          });
          throw error;
        }
      },
    { step: 'initialize', name: 'recordForModelCheck' },
  );
  // Inside the deserializer (deserialize step, low priority): the raw response, whose body is kept and
  // handed on as a fresh stream for the SDK to parse.
  (client.middlewareStack as unknown as { add: (mw: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => Promise<{ response: { body: unknown } }>) => async (args: unknown) => {
      const result = await next(args);
      const chunks: Buffer[] = [];
      for await (const chunk of result.response.body as Readable) chunks.push(Buffer.from(chunk));
      lastBody = Buffer.concat(chunks).toString('utf8');
      result.response.body = Readable.from([Buffer.from(lastBody)]);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'keepRawBody' },
  );
  return client;
}

const attempt = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    () => undefined,
  );

let aws: LocalAws;
let caches: CacheServers;
let postgres: PostgresServerHandle;
let stateDir: string;

const MODELS: Record<string, { model: ServiceModel; protocol: 'json' | 'rest' | 'query' }> = {};

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'local-aws-models-'));
  [caches, postgres] = await Promise.all([
    startCacheServers({ replicationGroups: ['rg-1'], serverlessCaches: ['sc-1'] }),
    startPostgresServer(),
  ]);
  aws = await startLocalAws({
    elasticache: { caches: caches.caches },
    redshiftData: {
      clusters: { 'cluster-1': postgres.connectionString() },
      workgroups: { 'wg-1': postgres.connectionString() },
    },
    rds: {
      instances: { 'db-1': postgres.connectionString() },
      clusters: { 'aurora-1': postgres.connectionString() },
    },
    functions: [
      { functionName: 'configured-rotation', bundlePath: fixture, environment: { STATE_DIR: stateDir } },
    ],
    rotation: { maxAttempts: 1, retryDelayMs: 10 },
  });
  for (const [service, packageName, protocol] of [
    ['secretsmanager', '@aws-sdk/client-secrets-manager', 'json'],
    ['redshift-data', '@aws-sdk/client-redshift-data', 'json'],
    ['logs', '@aws-sdk/client-cloudwatch-logs', 'json'],
    ['redshift-serverless', '@aws-sdk/client-redshift-serverless', 'json'],
    ['lambda', '@aws-sdk/client-lambda', 'rest'],
    ['elasticache', '@aws-sdk/client-elasticache', 'query'],
    ['rds', '@aws-sdk/client-rds', 'query'],
    ['redshift', '@aws-sdk/client-redshift', 'query'],
  ] as const) {
    MODELS[service] = { model: loadServiceModel(packageName), protocol };
  }
}, 120_000);

afterAll(async () => {
  await aws?.stop();
  await Promise.all([caches?.stop(), postgres?.stop()]);
  rmSync(stateDir, { recursive: true, force: true });
});

const config = () => ({
  endpoint: aws.endpoint,
  region: aws.region,
  credentials: { ...aws.credentials },
  maxAttempts: 1,
});

async function exercise(): Promise<void> {
  const sm = recording('secretsmanager', new SM.SecretsManagerClient(config()));
  const created = await sm.send(
    new SM.CreateSecretCommand({
      Name: 'models/one',
      SecretString: '{"username":"u","password":"p"}',
      Tags: [{ Key: 'k', Value: 'v' }],
    }),
  );
  await sm.send(new SM.DescribeSecretCommand({ SecretId: 'models/one' }));
  await sm.send(new SM.GetSecretValueCommand({ SecretId: 'models/one' }));
  const put = await sm.send(
    new SM.PutSecretValueCommand({ SecretId: 'models/one', SecretString: 'two', VersionStages: ['STAGED'] }),
  );
  await sm.send(
    new SM.UpdateSecretVersionStageCommand({
      SecretId: 'models/one',
      VersionStage: 'STAGED',
      RemoveFromVersionId: put.VersionId,
    }),
  );
  await sm.send(new SM.UpdateSecretCommand({ SecretId: 'models/one', Description: 'described' }));
  await sm.send(new SM.ListSecretVersionIdsCommand({ SecretId: 'models/one', IncludeDeprecated: true }));
  await sm.send(new SM.ListSecretsCommand({}));
  await sm.send(new SM.TagResourceCommand({ SecretId: 'models/one', Tags: [{ Key: 'k2', Value: 'v2' }] }));
  await sm.send(new SM.UntagResourceCommand({ SecretId: 'models/one', TagKeys: ['k2'] }));
  await sm.send(new SM.GetRandomPasswordCommand({ PasswordLength: 20 }));
  await sm.send(
    new SM.RotateSecretCommand({ SecretId: 'models/one', RotationLambdaARN: 'configured-rotation' }),
  );
  await aws.waitForRotation('models/one');
  await sm.send(new SM.CancelRotateSecretCommand({ SecretId: 'models/one' }));
  await sm.send(new SM.DeleteSecretCommand({ SecretId: 'models/one', RecoveryWindowInDays: 7 }));
  await sm.send(new SM.RestoreSecretCommand({ SecretId: created.ARN }));
  await attempt(sm.send(new SM.GetSecretValueCommand({ SecretId: 'models/none' })));
  await attempt(sm.send(new SM.CreateSecretCommand({ Name: 'models/one', SecretString: 'x' })));
  await attempt(sm.send(new SM.PutSecretValueCommand({ SecretId: 'models/one' })));
  await attempt(sm.send(new SM.ListSecretsCommand({ NextToken: '!!' })));
  await attempt(
    sm.send(new SM.RotateSecretCommand({ SecretId: 'models/one', RotationLambdaARN: 'no-such-function' })),
  );
  await attempt(
    sm.send(
      new SM.UpdateSecretVersionStageCommand({
        SecretId: 'models/one',
        VersionStage: 'AWSCURRENT',
        RemoveFromVersionId: put.VersionId,
      }),
    ),
  );

  const ec = recording('elasticache', new EC.ElastiCacheClient(config()));
  await ec.send(
    new EC.CreateUserCommand({
      UserId: 'model-user',
      UserName: 'model-user',
      Engine: 'redis',
      AccessString: 'on ~* +get',
      Passwords: ['a-password-of-sixteen'],
    }),
  );
  await ec.send(
    new EC.CreateUserCommand({
      UserId: 'model-nopass',
      UserName: 'model-nopass',
      Engine: 'redis',
      AccessString: 'off +get ~keys*',
      NoPasswordRequired: true,
    }),
  );
  await ec.send(new EC.ModifyUserCommand({ UserId: 'model-user', Passwords: ['another-password-of-16'] }));
  await ec.send(new EC.DescribeUsersCommand({}));
  await ec.send(
    new EC.CreateUserGroupCommand({
      UserGroupId: 'model-group',
      Engine: 'redis',
      UserIds: ['default', 'model-user'],
    }),
  );
  await ec.send(new EC.DescribeUserGroupsCommand({}));
  await ec.send(
    new EC.ModifyUserGroupCommand({ UserGroupId: 'model-group', UserIdsToAdd: ['model-nopass'] }),
  );
  await ec.send(
    new EC.ModifyReplicationGroupCommand({ ReplicationGroupId: 'rg-1', UserGroupIdsToAdd: ['model-group'] }),
  );
  await ec.send(new EC.DescribeReplicationGroupsCommand({}));
  await ec.send(new EC.DescribeServerlessCachesCommand({}));
  await ec.send(
    new EC.ModifyReplicationGroupCommand({
      ReplicationGroupId: 'rg-1',
      UserGroupIdsToRemove: ['model-group'],
    }),
  );
  await ec.send(
    new EC.ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-1', UserGroupId: 'model-group' }),
  );
  await ec.send(new EC.ModifyServerlessCacheCommand({ ServerlessCacheName: 'sc-1', RemoveUserGroup: true }));
  await ec.send(new EC.DeleteUserGroupCommand({ UserGroupId: 'model-group' }));
  await ec.send(new EC.DeleteUserCommand({ UserId: 'model-nopass' }));
  await attempt(ec.send(new EC.DescribeUsersCommand({ UserId: 'nobody' })));
  await attempt(
    ec.send(
      new EC.CreateUserCommand({
        UserId: 'model-user',
        UserName: 'model-user',
        Engine: 'redis',
        AccessString: 'on',
        NoPasswordRequired: true,
      }),
    ),
  );
  await attempt(ec.send(new EC.ModifyUserCommand({ UserId: 'model-user', Passwords: ['short'] })));
  await attempt(
    ec.send(
      new EC.CreateUserGroupCommand({ UserGroupId: 'no-default', Engine: 'redis', UserIds: ['model-user'] }),
    ),
  );
  await attempt(ec.send(new EC.DescribeUserGroupsCommand({ UserGroupId: 'nothing' })));
  await attempt(ec.send(new EC.DescribeReplicationGroupsCommand({ ReplicationGroupId: 'nothing' })));
  await attempt(ec.send(new EC.DescribeServerlessCachesCommand({ ServerlessCacheName: 'nothing' })));

  const rd = recording('redshift-data', new RD.RedshiftDataClient(config()));
  const single = await rd.send(
    new RD.ExecuteStatementCommand({
      ClusterIdentifier: 'cluster-1',
      Database: 'postgres',
      DbUser: 'postgres',
      Sql: 'select 1 as one, now() as at',
    }),
  );
  const batch = await rd.send(
    new RD.BatchExecuteStatementCommand({
      WorkgroupName: 'wg-1',
      Database: 'postgres',
      SecretArn: created.ARN,
      Sqls: ['select 1', 'select 2'],
    }),
  );
  await aws.redshiftData?.settled();
  await rd.send(new RD.DescribeStatementCommand({ Id: single.Id }));
  await rd.send(new RD.DescribeStatementCommand({ Id: batch.Id }));
  await rd.send(new RD.GetStatementResultCommand({ Id: single.Id }));
  await rd.send(new RD.ListStatementsCommand({}));
  await attempt(rd.send(new RD.CancelStatementCommand({ Id: single.Id })));
  await attempt(rd.send(new RD.DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })));
  await attempt(
    rd.send(
      new RD.ExecuteStatementCommand({
        ClusterIdentifier: 'cluster-1',
        Database: 'postgres',
        Sql: 'select 1',
      }),
    ),
  );

  const rds = recording('rds', new RDS.RDSClient(config()));
  await rds.send(new RDS.DescribeDBInstancesCommand({}));
  await rds.send(new RDS.DescribeDBClustersCommand({}));
  await attempt(rds.send(new RDS.DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nothing' })));
  const redshift = recording('redshift', new Redshift.RedshiftClient(config()));
  await redshift.send(new Redshift.DescribeClustersCommand({}));
  await attempt(redshift.send(new Redshift.DescribeClustersCommand({ ClusterIdentifier: 'nothing' })));
  const rss = recording('redshift-serverless', new RSS.RedshiftServerlessClient(config()));
  const workgroup = await rss.send(new RSS.GetWorkgroupCommand({ workgroupName: 'wg-1' }));
  await rss.send(new RSS.GetNamespaceCommand({ namespaceName: workgroup.workgroup?.namespaceName ?? '' }));
  await attempt(rss.send(new RSS.GetWorkgroupCommand({ workgroupName: 'nothing' })));

  const lambda = recording('lambda', new Lambda.LambdaClient(config()));
  const zip = zipSync({
    'index.mjs': Buffer.from(
      "export const handler = async (event) => { console.log('event', JSON.stringify(event)); return { ok: true }; };\n",
    ),
  });
  await lambda.send(
    new Lambda.CreateFunctionCommand({
      FunctionName: 'model-fn',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/model',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
    }),
  );
  await lambda.send(new Lambda.GetFunctionCommand({ FunctionName: 'model-fn' }));
  await lambda.send(new Lambda.GetFunctionConfigurationCommand({ FunctionName: 'model-fn' }));
  await lambda.send(
    new Lambda.UpdateFunctionConfigurationCommand({
      FunctionName: 'model-fn',
      Timeout: 30,
      Environment: { Variables: { MODE: 'models' } },
    }),
  );
  await lambda.send(new Lambda.UpdateFunctionCodeCommand({ FunctionName: 'model-fn', ZipFile: zip }));
  await lambda.send(
    new Lambda.AddPermissionCommand({
      FunctionName: 'model-fn',
      StatementId: 'sm',
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
    }),
  );
  await lambda.send(new Lambda.GetPolicyCommand({ FunctionName: 'model-fn' }));
  await lambda.send(
    new Lambda.InvokeCommand({
      FunctionName: 'model-fn',
      Payload: Buffer.from('{"hello":"models"}'),
      LogType: 'Tail',
    }),
  );
  await lambda.send(new Lambda.ListFunctionsCommand({}));
  await lambda.send(new Lambda.RemovePermissionCommand({ FunctionName: 'model-fn', StatementId: 'sm' }));
  await attempt(lambda.send(new Lambda.GetFunctionCommand({ FunctionName: 'no-such-function' })));
  await attempt(
    lambda.send(
      new Lambda.CreateFunctionCommand({
        FunctionName: 'model-fn',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/model',
        Handler: 'index.handler',
        Code: { ZipFile: zip },
      }),
    ),
  );
  await attempt(
    lambda.send(
      new Lambda.CreateFunctionCommand({
        FunctionName: 'no-handler',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/model',
        Handler: 'main.handler',
        Code: { ZipFile: zip },
      }),
    ),
  );
  await attempt(
    lambda.send(
      new Lambda.AddPermissionCommand({
        FunctionName: 'model-fn',
        StatementId: 'bad id!',
        Action: 'lambda:InvokeFunction',
        Principal: 'x',
      }),
    ),
  );

  const logs = recording('logs', new Logs.CloudWatchLogsClient(config()));
  await logs.send(new Logs.DescribeLogGroupsCommand({}));
  const streams = await logs.send(
    new Logs.DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/model-fn' }),
  );
  await logs.send(
    new Logs.GetLogEventsCommand({
      logGroupName: '/aws/lambda/model-fn',
      logStreamName: streams.logStreams?.[0]?.logStreamName ?? '',
      startFromHead: true,
    }),
  );
  await logs.send(
    new Logs.FilterLogEventsCommand({ logGroupName: '/aws/lambda/model-fn', filterPattern: 'START' }),
  );
  await attempt(logs.send(new Logs.FilterLogEventsCommand({ logGroupName: '/aws/lambda/nothing' })));
  await lambda.send(new Lambda.DeleteFunctionCommand({ FunctionName: 'model-fn' }));
  await logs.send(new Logs.DeleteLogGroupCommand({ logGroupName: '/aws/lambda/model-fn' }));
}

describe("every served operation's responses against AWS's service models", () => {
  it('conform: members known, required present, types and enum values valid, error codes modelled', async () => {
    await exercise();
    const problems: string[] = [];
    const counts = { responses: 0, errors: 0, operations: new Set<string>() };
    for (const entry of recorded) {
      const { model, protocol } = MODELS[entry.service]!;
      const where = `${entry.service}:${entry.operation}`;
      if (entry.errorCode !== undefined) {
        counts.errors++;
        if (!model.errorCodes.has(entry.errorCode) && !COMMON_ERRORS.has(entry.errorCode)) {
          problems.push(`${where}: error code ${entry.errorCode} is not modelled`);
        }
        continue;
      }
      counts.responses++;
      counts.operations.add(where);
      const output = model.outputOf(entry.operation);
      if (protocol === 'query') {
        problems.push(
          ...checkShape(model, entry.output, output, { mode: 'sdk' }).map((p) => `${where} ${p}`),
        );
      } else if (entry.body !== '' && !(protocol === 'rest' && entry.operation === 'Invoke')) {
        problems.push(
          ...checkShape(model, JSON.parse(entry.body), output, { mode: 'raw' }).map((p) => `${where} ${p}`),
        );
      }
    }
    // The JSON protocols' bodies were really read (only 204s have none).
    const jsonBodies = recorded.filter(
      (entry) =>
        MODELS[entry.service]!.protocol !== 'query' && entry.errorCode === undefined && entry.status !== 204,
    );
    expect(jsonBodies.every((entry) => entry.body !== '')).toBe(true);
    // Negative controls: the checker finds a wrong enum value, an unknown member and a missing required one.
    const rdModel = MODELS['redshift-data']!.model;
    const describeBody = JSON.parse(
      recorded.find((entry) => entry.operation === 'DescribeStatement' && entry.errorCode === undefined)!
        .body,
    );
    expect(
      checkShape(
        rdModel,
        { ...describeBody, Status: 'DONE', Extra: 1 },
        rdModel.outputOf('DescribeStatement'),
        { mode: 'raw' },
      ),
    ).toEqual([
      '$.Status: "DONE" is not one of the model\'s values [ABORTED, ALL, FAILED, FINISHED, PICKED, STARTED, SUBMITTED]',
      '$.Extra: not a member of DescribeStatementResponse',
    ]);
    const resultBody = JSON.parse(
      recorded.find((entry) => entry.operation === 'GetStatementResult' && entry.errorCode === undefined)!
        .body,
    );
    delete resultBody.Records;
    expect(checkShape(rdModel, resultBody, rdModel.outputOf('GetStatementResult'), { mode: 'raw' })).toEqual([
      '$.Records: required by GetStatementResultResponse, missing',
    ]);
    const ecModel = MODELS.elasticache!.model;
    expect(
      checkShape(ecModel, { Authentication: { Type: 'no_password' } }, ecModel.outputOf('CreateUser'), {
        mode: 'sdk',
      }),
    ).toEqual([
      '$.Authentication.Type: "no_password" is not one of the model\'s values [iam, no-password, password]',
    ]);
    console.info(
      `model check: ${counts.responses} responses of ${counts.operations.size} operations and ${counts.errors} errors checked; ${problems.length} problems`,
    );
    expect(problems).toEqual([]);
    // Every operation the services serve was exercised (a new one must be added here).
    expect([...counts.operations].sort()).toEqual(
      [
        ...[
          'CreateSecret',
          'DescribeSecret',
          'GetSecretValue',
          'PutSecretValue',
          'UpdateSecretVersionStage',
          'UpdateSecret',
          'ListSecretVersionIds',
          'ListSecrets',
          'TagResource',
          'UntagResource',
          'GetRandomPassword',
          'RotateSecret',
          'CancelRotateSecret',
          'DeleteSecret',
          'RestoreSecret',
        ].map((op) => `secretsmanager:${op}`),
        ...[
          'CreateUser',
          'ModifyUser',
          'DescribeUsers',
          'DeleteUser',
          'CreateUserGroup',
          'DescribeUserGroups',
          'ModifyUserGroup',
          'DeleteUserGroup',
          'ModifyReplicationGroup',
          'DescribeReplicationGroups',
          'DescribeServerlessCaches',
          'ModifyServerlessCache',
        ].map((op) => `elasticache:${op}`),
        ...[
          'ExecuteStatement',
          'BatchExecuteStatement',
          'DescribeStatement',
          'GetStatementResult',
          'ListStatements',
        ].map((op) => `redshift-data:${op}`),
        'rds:DescribeDBInstances',
        'rds:DescribeDBClusters',
        'redshift:DescribeClusters',
        'redshift-serverless:GetWorkgroup',
        'redshift-serverless:GetNamespace',
        ...[
          'CreateFunction',
          'GetFunction',
          'GetFunctionConfiguration',
          'UpdateFunctionConfiguration',
          'UpdateFunctionCode',
          'AddPermission',
          'GetPolicy',
          'Invoke',
          'ListFunctions',
          'RemovePermission',
          'DeleteFunction',
        ].map((op) => `lambda:${op}`),
        ...[
          'DescribeLogGroups',
          'DescribeLogStreams',
          'GetLogEvents',
          'FilterLogEvents',
          'DeleteLogGroup',
        ].map((op) => `logs:${op}`),
      ].sort(),
    );
  }, 180_000);
});

describe('every error code the emulator can answer', () => {
  it("is among its service's modelled errors (or AWS's common ones)", () => {
    const sources: Record<string, string[]> = {
      'secrets-manager': ['secretsmanager'],
      elasticache: ['elasticache'],
      'redshift-data': ['redshift-data'],
      lambda: ['lambda'],
      logs: ['logs'],
      rds: ['rds'],
      'redshift-control-plane': ['redshift', 'redshift-serverless'],
    };
    const unknown: string[] = [];
    let codes = 0;
    for (const [dir, services] of Object.entries(sources)) {
      const root = fileURLToPath(new URL(`../../src/${dir}`, import.meta.url));
      for (const file of readdirSync(root, { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        const text = readFileSync(join(root, file), 'utf8');
        for (const [, code] of text.matchAll(/AwsApiError\(\s*'(\w+)'/g)) {
          codes++;
          const known = services.some((service) => MODELS[service]!.model.errorCodes.has(code!));
          if (!known && !COMMON_ERRORS.has(code!)) unknown.push(`${dir}/${file}: ${code}`);
        }
      }
    }
    console.info(`model check: ${codes} error constructions in the source checked`);
    expect(codes).toBeGreaterThan(40);
    expect(unknown).toEqual([]);
  });
});
