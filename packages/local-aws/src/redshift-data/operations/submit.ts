/** Submitting statements: ExecuteStatement and BatchExecuteStatement (answered at once, run in the background). */
import { randomUUID } from 'node:crypto';
import { AwsApiError, type ServiceContext } from '../../service.js';
import { executeStatement } from '../execution.js';
import { optionalString, requiredString } from '../input.js';
import type { Statement } from '../model.js';
import { executeOutput } from '../render.js';
import { bindParameters, readParameters, validationError } from '../sql-parameters.js';
import type { RedshiftDataContext } from './context.js';

const MAX_BATCH_SQLS = 40;
const MAX_SQL_LENGTH = 100_000;

/**
 * Without SecretArn or DbUser, AWS runs the statement as the caller's IAM identity (`IAM:<user>`, through
 * GetClusterCredentialsWithIAM or redshift-serverless:GetCredentials). The endpoint has no IAM identities,
 * so there is no one to run it as: it is refused like an identity with no right to those credentials,
 * never run as the PostgreSQL admin (docs/decisions/0014).
 */
function anonymousIdentityError(
  service: ServiceContext,
  database: string,
  clusterIdentifier: string | undefined,
  workgroupName: string | undefined,
): AwsApiError {
  const [action, resource] =
    clusterIdentifier !== undefined
      ? [
          'redshift:GetClusterCredentialsWithIAM',
          `arn:aws:redshift:${service.region}:${service.accountId}:dbname:${clusterIdentifier}/${database}`,
        ]
      : [
          'redshift-serverless:GetCredentials',
          `arn:aws:redshift-serverless:${service.region}:${service.accountId}:workgroup/${workgroupName}`,
        ];
  return validationError(
    `User: anonymous is not authorized to perform: ${action} on resource: ${resource} ` +
      '(the local endpoint has no IAM identities; pass SecretArn or DbUser).',
  );
}

function submit(
  context: RedshiftDataContext,
  input: Record<string, unknown>,
  sqls: string[],
  isBatch: boolean,
  service: ServiceContext,
): Statement {
  const clusterIdentifier = optionalString(input, 'ClusterIdentifier');
  const workgroupName = optionalString(input, 'WorkgroupName');
  const secretArn = optionalString(input, 'SecretArn');
  const dbUser = optionalString(input, 'DbUser');
  const statementName = optionalString(input, 'StatementName');
  const clientToken = optionalString(input, 'ClientToken');
  if (input.SessionId !== undefined || input.SessionKeepAliveSeconds !== undefined) {
    throw validationError(
      'Sessions (SessionId, SessionKeepAliveSeconds) are not supported by the local endpoint.',
    );
  }
  if (input.ResultFormat !== undefined && input.ResultFormat !== 'JSON') {
    throw validationError('Only ResultFormat JSON is supported by the local endpoint.');
  }
  if (clusterIdentifier !== undefined && workgroupName !== undefined) {
    throw validationError('Specify either ClusterIdentifier or WorkgroupName, not both.');
  }
  if (clusterIdentifier === undefined && workgroupName === undefined) {
    throw validationError('Either ClusterIdentifier or WorkgroupName is required.');
  }
  if (secretArn !== undefined && dbUser !== undefined) {
    throw validationError('Specify either SecretArn or DbUser, not both.');
  }
  if (workgroupName !== undefined && dbUser !== undefined) {
    throw validationError(
      'DbUser is not supported with WorkgroupName: Serverless derives the user from IAM.',
    );
  }
  const database = requiredString(input, 'Database');
  if (secretArn === undefined && dbUser === undefined) {
    throw anonymousIdentityError(service, database, clusterIdentifier, workgroupName);
  }
  const parameters = readParameters(input.Parameters);
  if (parameters && isBatch)
    throw validationError('Parameters are not supported with more than one SQL statement.');
  // Binding now turns a missing parameter into a synchronous ValidationException, as the API validates input.
  for (const sql of sqls) bindParameters(sql, parameters);

  const { repository } = context;
  if (clientToken !== undefined) {
    const existing = repository.byClientToken(clientToken);
    if (existing) return existing;
  }
  const target = context.targetFor(clusterIdentifier, workgroupName);
  if (repository.activeCount() >= context.maxActiveStatements) {
    throw new AwsApiError(
      'ActiveStatementsExceededException',
      `The number of active statements exceeds the limit of ${context.maxActiveStatements}.`,
    );
  }
  const id = randomUUID();
  const createdAt = new Date();
  const statement: Statement = {
    id,
    createdAt,
    updatedAt: createdAt,
    status: 'SUBMITTED',
    clusterIdentifier,
    workgroupName,
    database,
    dbUser,
    secretArn,
    statementName,
    parameters,
    isBatch,
    subStatements: sqls.map((queryString, index) => ({
      id: isBatch ? `${id}:${index + 1}` : id,
      queryString,
      status: 'SUBMITTED',
      createdAt,
      updatedAt: createdAt,
      queryId: repository.nextQueryId(),
    })),
    target,
    pid: 0,
    cancelRequested: false,
    durationNs: 0,
    clientToken,
  };
  repository.add(statement);
  context.logger.info('redshift-data: statement submitted', { id, statements: sqls.length });
  const run = executeStatement(statement, service, context).catch((error: unknown) => {
    context.logger.error('redshift-data: statement runner failed', { id, error: String(error) });
  });
  context.running.add(run);
  run.finally(() => context.running.delete(run));
  return statement;
}

export function executeSingle(
  context: RedshiftDataContext,
  input: Record<string, unknown>,
  service: ServiceContext,
) {
  const sql = requiredString(input, 'Sql');
  if (sql.length > MAX_SQL_LENGTH) throw validationError(`Sql must be at most ${MAX_SQL_LENGTH} characters.`);
  return executeOutput(submit(context, input, [sql], false, service));
}

export function executeBatch(
  context: RedshiftDataContext,
  input: Record<string, unknown>,
  service: ServiceContext,
) {
  const sqls = input.Sqls;
  if (!Array.isArray(sqls) || sqls.length === 0 || sqls.length > MAX_BATCH_SQLS) {
    throw validationError(`Sqls must hold between 1 and ${MAX_BATCH_SQLS} statements.`);
  }
  if (!sqls.every((sql) => typeof sql === 'string' && sql.length > 0 && sql.length <= MAX_SQL_LENGTH)) {
    throw validationError('Every entry of Sqls must be a non-empty SQL string.');
  }
  return executeOutput(submit(context, input, sqls as string[], true, service));
}
