/**
 * Emulated Redshift Data API (awsJson1_1, `X-Amz-Target: RedshiftData.<Op>`) running statements on a
 * real PostgreSQL. Statements are asynchronous as on AWS: ExecuteStatement answers with an Id at once and
 * the statement moves SUBMITTED -> PICKED -> STARTED -> FINISHED | FAILED | ABORTED in the background.
 * Authentication is real: SecretArn logs in with the secret's AWSCURRENT username/password, so a wrong
 * password FAILs the statement with the server's message (docs/decisions/0021).
 *
 * Like Redshift, the service keeps each statement's QueryString and QueryParameters and returns them from
 * DescribeStatement/ListStatements; it never writes them to its log.
 */
import { randomUUID } from 'node:crypto';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type JsonProtocolService, type ServiceContext } from '../service.js';
import { type ColumnMetadata, columnMetadata, type Field, toField } from './records.js';
import { bindParameters, readParameters, type SqlParameter, validationError } from './sql-parameters.js';
import {
  cancelBackend,
  type PostgresTarget,
  runStatements,
  StatementFailedError,
  type StatementIdentity,
  type StatementResult,
} from './statement-runner.js';

/** A PostgreSQL server standing in for a cluster or workgroup: an admin (superuser) URL, or its parts. */
export type PostgresTargetConfig =
  | string
  | { readonly url: string }
  | {
      readonly host: string;
      readonly port: number;
      readonly adminUser: string;
      readonly adminPassword: string;
    };

export interface RedshiftDataServiceOptions {
  /** ClusterIdentifier -> PostgreSQL. */
  readonly clusters?: Readonly<Record<string, PostgresTargetConfig>>;
  /** WorkgroupName (Serverless) -> PostgreSQL. */
  readonly workgroups?: Readonly<Record<string, PostgresTargetConfig>>;
  /** Any cluster or workgroup not listed maps here (the CLI's --postgres-url). Without it they are unknown. */
  readonly defaultTarget?: PostgresTargetConfig;
  /** Statements SUBMITTED/PICKED/STARTED at once before ActiveStatementsExceededException. Default 500. */
  readonly maxActiveStatements?: number;
  /** Rows per GetStatementResult page. Default 1000. */
  readonly resultPageSize?: number;
  /** Statements kept for Describe/List/GetStatementResult (oldest dropped first). Default 10000. */
  readonly retainedStatements?: number;
  readonly connectTimeoutMs?: number;
  /** Logs statement ids and statuses, never SQL text, parameters or credentials. */
  readonly logger?: LocalAwsLogger;
}

export interface RedshiftDataService extends JsonProtocolService {
  /** Resolves once no statement is running. */
  settled(): Promise<void>;
}

type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';
const STATUSES: readonly string[] = [
  'SUBMITTED',
  'PICKED',
  'STARTED',
  'FINISHED',
  'ABORTED',
  'FAILED',
  'ALL',
];
const ID_PATTERN = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;
const MAX_BATCH_SQLS = 40;
const MAX_SQL_LENGTH = 100_000;

interface SubStatement {
  readonly id: string;
  readonly queryString: string;
  status: Status;
  error?: string | undefined;
  result?: StatementResult | undefined;
  createdAt: Date;
  updatedAt: Date;
  queryId: number;
}

interface Statement {
  readonly id: string;
  readonly createdAt: Date;
  updatedAt: Date;
  status: Status;
  error?: string | undefined;
  readonly clusterIdentifier?: string | undefined;
  readonly workgroupName?: string | undefined;
  readonly database: string;
  readonly dbUser?: string | undefined;
  readonly secretArn?: string | undefined;
  readonly statementName?: string | undefined;
  readonly parameters?: SqlParameter[] | undefined;
  readonly isBatch: boolean;
  readonly subStatements: SubStatement[];
  readonly target: PostgresTarget;
  pid: number;
  cancelRequested: boolean;
  durationNs: number;
  readonly clientToken?: string | undefined;
}

export function resolveTarget(config: PostgresTargetConfig): PostgresTarget {
  if (typeof config === 'object' && 'host' in config) return config;
  const url = new URL(typeof config === 'string' ? config : config.url);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TypeError(`Redshift Data target must be a postgres:// URL, got ${url.protocol}`);
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    adminUser: decodeURIComponent(url.username),
    adminPassword: decodeURIComponent(url.password),
  };
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${name} must be a string.`);
  return value;
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === '') throw validationError(`${name} is required.`);
  return value;
}

const epochSeconds = (date: Date) => date.getTime() / 1000;
const isActive = (status: Status) => status === 'SUBMITTED' || status === 'PICKED' || status === 'STARTED';

/**
 * Without SecretArn or DbUser, AWS runs the statement as the caller's IAM identity (`IAM:<user>`, through
 * GetClusterCredentialsWithIAM or redshift-serverless:GetCredentials). The endpoint has no IAM identities,
 * so there is no one to run it as: it is refused like an identity with no right to those credentials,
 * never run as the PostgreSQL admin (docs/decisions/0014).
 */
function anonymousIdentityError(
  context: ServiceContext,
  database: string,
  clusterIdentifier: string | undefined,
  workgroupName: string | undefined,
): AwsApiError {
  const [action, resource] =
    clusterIdentifier !== undefined
      ? [
          'redshift:GetClusterCredentialsWithIAM',
          `arn:aws:redshift:${context.region}:${context.accountId}:dbname:${clusterIdentifier}/${database}`,
        ]
      : [
          'redshift-serverless:GetCredentials',
          `arn:aws:redshift-serverless:${context.region}:${context.accountId}:workgroup/${workgroupName}`,
        ];
  return validationError(
    `User: anonymous is not authorized to perform: ${action} on resource: ${resource} ` +
      '(the local endpoint has no IAM identities; pass SecretArn or DbUser).',
  );
}

function statementNotFound(id: string): AwsApiError {
  return new AwsApiError('ResourceNotFoundException', `Query does not exist. Statement id: ${id}`, 404);
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw validationError('NextToken is not valid.');
  return offset;
}

const encodeToken = (offset: number) => Buffer.from(String(offset), 'utf8').toString('base64url');

export function createRedshiftDataService(options: RedshiftDataServiceOptions = {}): RedshiftDataService {
  const clusters = new Map(
    Object.entries(options.clusters ?? {}).map(([id, config]) => [id, resolveTarget(config)]),
  );
  const workgroups = new Map(
    Object.entries(options.workgroups ?? {}).map(([name, config]) => [name, resolveTarget(config)]),
  );
  const defaultTarget =
    options.defaultTarget !== undefined ? resolveTarget(options.defaultTarget) : undefined;
  const maxActive = options.maxActiveStatements ?? 500;
  const pageSize = options.resultPageSize ?? 1000;
  const retained = options.retainedStatements ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const logger = options.logger ?? silentLogger;

  const statements = new Map<string, Statement>();
  const byClientToken = new Map<string, string>();
  const running = new Set<Promise<void>>();
  let queryIds = 1000;

  function targetFor(
    clusterIdentifier: string | undefined,
    workgroupName: string | undefined,
  ): PostgresTarget {
    if (clusterIdentifier !== undefined) {
      const target = clusters.get(clusterIdentifier) ?? defaultTarget;
      if (!target) {
        throw new AwsApiError('ResourceNotFoundException', `Cluster ${clusterIdentifier} not found.`, 404);
      }
      return target;
    }
    const target = workgroups.get(workgroupName ?? '') ?? defaultTarget;
    if (!target)
      throw new AwsApiError('ResourceNotFoundException', `Workgroup ${workgroupName} not found.`, 404);
    return target;
  }

  /** Secrets Manager authentication: the AWSCURRENT value of the secret, read at run time like AWS does. */
  async function identityFor(statement: Statement, context: ServiceContext): Promise<StatementIdentity> {
    if (statement.secretArn === undefined) {
      // submit() refuses a statement with neither; nothing ever runs as the admin itself.
      if (statement.dbUser === undefined)
        throw new StatementFailedError('No SecretArn or DbUser.', undefined, []);
      return { kind: 'db-user', dbUser: statement.dbUser };
    }
    const secretString = await context.readSecretString(statement.secretArn).catch(() => undefined);
    if (secretString === undefined) {
      throw new StatementFailedError(
        `Secrets Manager secret ${statement.secretArn} could not be read.`,
        undefined,
        [],
      );
    }
    let secret: Record<string, unknown>;
    try {
      secret = JSON.parse(secretString) as Record<string, unknown>;
    } catch {
      throw new StatementFailedError(
        'The secret value is not a JSON object with username and password.',
        undefined,
        [],
      );
    }
    const { username, password, dbClusterIdentifier } = secret ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new StatementFailedError(
        'The secret value is not a JSON object with username and password.',
        undefined,
        [],
      );
    }
    // "If you provide a cluster identifier (dbClusterIdentifier), it must match the cluster identifier
    // stored in the secret" (ExecuteStatement API reference).
    if (
      statement.clusterIdentifier !== undefined &&
      typeof dbClusterIdentifier === 'string' &&
      dbClusterIdentifier !== statement.clusterIdentifier
    ) {
      throw new StatementFailedError(
        `The secret's dbClusterIdentifier does not match the cluster identifier ${statement.clusterIdentifier}.`,
        undefined,
        [],
      );
    }
    return { kind: 'password', user: username, password };
  }

  function touch(statement: Statement, status: Status) {
    statement.status = status;
    statement.updatedAt = new Date();
    for (const sub of statement.subStatements) {
      if (isActive(sub.status)) {
        sub.status = status;
        sub.updatedAt = statement.updatedAt;
      }
    }
  }

  async function execute(statement: Statement, context: ServiceContext): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (statement.cancelRequested) return touch(statement, 'ABORTED');
    touch(statement, 'PICKED');
    try {
      const identity = await identityFor(statement, context);
      if (statement.cancelRequested) return touch(statement, 'ABORTED');
      const bound = statement.subStatements.map((sub) =>
        bindParameters(sub.queryString, statement.parameters),
      );
      const results = await runStatements({
        target: statement.target,
        database: statement.database,
        identity,
        statements: bound,
        transaction: statement.isBatch,
        connectTimeoutMs,
        onStarted: (pid) => {
          statement.pid = pid;
          touch(statement, 'STARTED');
        },
      });
      const finishedAt = new Date();
      results.forEach((result, index) => {
        const sub = statement.subStatements[index];
        if (!sub) return;
        sub.result = result;
        sub.status = 'FINISHED';
        sub.updatedAt = finishedAt;
      });
      statement.durationNs = results.reduce((total, result) => total + result.durationNs, 0);
      touch(statement, 'FINISHED');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failedIndex = error instanceof StatementFailedError ? error.index : undefined;
      const cancelled = statement.cancelRequested && /cancel/i.test(message);
      const now = new Date();
      statement.subStatements.forEach((sub, index) => {
        sub.updatedAt = now;
        if (failedIndex === undefined || index === failedIndex) {
          sub.status = cancelled ? 'ABORTED' : 'FAILED';
          sub.error = message;
        } else if (index < failedIndex) {
          // Ran, then rolled back with the batch's transaction.
          sub.status = 'FINISHED';
        } else {
          sub.status = 'ABORTED';
        }
      });
      statement.error = message;
      touch(statement, cancelled ? 'ABORTED' : 'FAILED');
      logger.info('redshift-data: statement did not finish', { id: statement.id, status: statement.status });
    }
  }

  function submit(input: Record<string, unknown>, sqls: string[], isBatch: boolean, context: ServiceContext) {
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
      throw anonymousIdentityError(context, database, clusterIdentifier, workgroupName);
    }
    const parameters = readParameters(input.Parameters);
    if (parameters && isBatch)
      throw validationError('Parameters are not supported with more than one SQL statement.');
    // Binding now turns a missing parameter into a synchronous ValidationException, as the API validates input.
    for (const sql of sqls) bindParameters(sql, parameters);

    if (clientToken !== undefined) {
      const existing = statements.get(byClientToken.get(clientToken) ?? '');
      if (existing) return existing;
    }
    const target = targetFor(clusterIdentifier, workgroupName);
    const active = [...statements.values()].filter((statement) => isActive(statement.status)).length;
    if (active >= maxActive) {
      throw new AwsApiError(
        'ActiveStatementsExceededException',
        `The number of active statements exceeds the limit of ${maxActive}.`,
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
        queryId: ++queryIds,
      })),
      target,
      pid: 0,
      cancelRequested: false,
      durationNs: 0,
      clientToken,
    };
    statements.set(id, statement);
    if (clientToken !== undefined) byClientToken.set(clientToken, id);
    while (statements.size > retained) {
      const oldest = statements.keys().next().value;
      if (oldest === undefined) break;
      const dropped = statements.get(oldest);
      if (dropped && isActive(dropped.status)) break;
      statements.delete(oldest);
      if (dropped?.clientToken !== undefined) byClientToken.delete(dropped.clientToken);
    }
    logger.info('redshift-data: statement submitted', { id, statements: sqls.length });
    const run = execute(statement, context).catch((error: unknown) => {
      logger.error('redshift-data: statement runner failed', { id, error: String(error) });
    });
    running.add(run);
    run.finally(() => running.delete(run));
    return statement;
  }

  function executeOutput(statement: Statement): Record<string, unknown> {
    return {
      Id: statement.id,
      CreatedAt: epochSeconds(statement.createdAt),
      ClusterIdentifier: statement.clusterIdentifier,
      WorkgroupName: statement.workgroupName,
      Database: statement.database,
      DbUser: statement.dbUser,
      SecretArn: statement.secretArn,
    };
  }

  function findStatement(id: string): { statement: Statement; sub?: SubStatement } {
    if (!ID_PATTERN.test(id)) {
      throw validationError(
        `Id ${id} must satisfy the pattern [a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d+)?.`,
      );
    }
    const [parentId = id, subIndex] = id.split(':');
    const statement = statements.get(parentId);
    if (!statement) throw statementNotFound(id);
    if (subIndex === undefined) return { statement };
    const sub = statement.isBatch ? statement.subStatements[Number(subIndex) - 1] : undefined;
    if (!sub) throw statementNotFound(id);
    return { statement, sub };
  }

  function resultFacts(result: StatementResult | undefined) {
    const hasResultSet = (result?.fields.length ?? 0) > 0;
    return {
      HasResultSet: hasResultSet,
      ResultRows: result ? (result.rowCount ?? -1) : -1,
      ResultSize: hasResultSet && result ? Buffer.byteLength(JSON.stringify(result.rows)) : 0,
    };
  }

  function describe(input: Record<string, unknown>): Record<string, unknown> {
    const { statement } = findStatement(requiredString(input, 'Id'));
    const single = statement.isBatch ? undefined : statement.subStatements[0];
    return {
      Id: statement.id,
      SecretArn: statement.secretArn,
      DbUser: statement.dbUser,
      Database: statement.database,
      ClusterIdentifier: statement.clusterIdentifier,
      WorkgroupName: statement.workgroupName,
      Duration: isActive(statement.status) ? -1 : statement.durationNs,
      Error: statement.error,
      Status: statement.status,
      CreatedAt: epochSeconds(statement.createdAt),
      UpdatedAt: epochSeconds(statement.updatedAt),
      RedshiftPid: statement.pid,
      QueryString: statement.isBatch ? undefined : single?.queryString,
      QueryParameters: statement.parameters,
      RedshiftQueryId: statement.isBatch ? 0 : single?.queryId,
      ResultFormat: 'JSON',
      ...(statement.isBatch
        ? {
            HasResultSet: statement.subStatements.some((sub) => (sub.result?.fields.length ?? 0) > 0),
            SubStatements: statement.subStatements.map((sub) => ({
              Id: sub.id,
              Duration: sub.result?.durationNs ?? -1,
              Error: sub.error,
              Status: sub.status,
              CreatedAt: epochSeconds(sub.createdAt),
              UpdatedAt: epochSeconds(sub.updatedAt),
              QueryString: sub.queryString,
              RedshiftQueryId: sub.queryId,
              ...resultFacts(sub.result),
            })),
          }
        : resultFacts(single?.result)),
    };
  }

  function getResult(input: Record<string, unknown>): Record<string, unknown> {
    const id = requiredString(input, 'Id');
    const { statement, sub } = findStatement(id);
    if (statement.isBatch && !sub) {
      throw validationError('GetStatementResult needs the Id of a sub-statement (<id>:<n>) for a batch.');
    }
    const target = sub ?? statement.subStatements[0];
    const result = target?.status === 'FINISHED' ? target.result : undefined;
    if (!result || result.fields.length === 0) {
      throw new AwsApiError(
        'ResourceNotFoundException',
        'Query does not have result. Please check query status with DescribeStatement.',
        404,
      );
    }
    const offset = decodeToken(optionalString(input, 'NextToken'));
    const rows = result.rows.slice(offset, offset + pageSize);
    const records: Field[][] = rows.map((row) =>
      row.map((value, column) => toField(value, result.fields[column]?.dataTypeID ?? 25)),
    );
    const metadata: ColumnMetadata[] = result.fields.map((field, column) =>
      columnMetadata(field, result.typeNames[column] ?? 'unknown'),
    );
    const next = offset + pageSize;
    return {
      Records: records,
      ColumnMetadata: metadata,
      TotalNumRows: result.rows.length,
      NextToken: next < result.rows.length ? encodeToken(next) : undefined,
    };
  }

  function list(input: Record<string, unknown>): Record<string, unknown> {
    const maxResults = input.MaxResults ?? 100;
    if (
      typeof maxResults !== 'number' ||
      !Number.isInteger(maxResults) ||
      maxResults < 0 ||
      maxResults > 100
    ) {
      throw validationError('MaxResults must be between 0 and 100.');
    }
    const status = optionalString(input, 'Status') ?? 'ALL';
    if (!STATUSES.includes(status)) throw validationError(`Status must be one of ${STATUSES.join(', ')}.`);
    const name = optionalString(input, 'StatementName');
    const database = optionalString(input, 'Database');
    const clusterIdentifier = optionalString(input, 'ClusterIdentifier');
    const workgroupName = optionalString(input, 'WorkgroupName');
    const matching = [...statements.values()]
      .reverse()
      .filter(
        (statement) =>
          (status === 'ALL' || statement.status === status) &&
          (name === undefined || (statement.statementName ?? '').startsWith(name)) &&
          (database === undefined || statement.database === database) &&
          (clusterIdentifier === undefined || statement.clusterIdentifier === clusterIdentifier) &&
          (workgroupName === undefined || statement.workgroupName === workgroupName),
      );
    const offset = decodeToken(optionalString(input, 'NextToken'));
    const size = maxResults === 0 ? 100 : maxResults;
    const page = matching.slice(offset, offset + size);
    return {
      Statements: page.map((statement) => ({
        Id: statement.id,
        QueryString: statement.isBatch ? undefined : statement.subStatements[0]?.queryString,
        QueryStrings: statement.isBatch ? statement.subStatements.map((sub) => sub.queryString) : undefined,
        SecretArn: statement.secretArn,
        Status: statement.status,
        StatementName: statement.statementName,
        CreatedAt: epochSeconds(statement.createdAt),
        UpdatedAt: epochSeconds(statement.updatedAt),
        QueryParameters: statement.parameters,
        IsBatchStatement: statement.isBatch,
        ResultFormat: 'JSON',
      })),
      NextToken: offset + size < matching.length ? encodeToken(offset + size) : undefined,
    };
  }

  async function cancel(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { statement } = findStatement(requiredString(input, 'Id'));
    if (!isActive(statement.status)) {
      throw validationError(`Could not cancel a query that is already in ${statement.status} state.`);
    }
    statement.cancelRequested = true;
    if (statement.status === 'STARTED' && statement.pid > 0) {
      await cancelBackend(statement.target, statement.database, statement.pid);
    }
    logger.info('redshift-data: cancel requested', { id: statement.id });
    return { Status: true };
  }

  return {
    protocol: 'awsJson1_1',
    serviceName: 'redshift-data',
    targetPrefix: 'RedshiftData',

    async handle(operation, input, context) {
      switch (operation) {
        case 'ExecuteStatement': {
          const sql = requiredString(input, 'Sql');
          if (sql.length > MAX_SQL_LENGTH)
            throw validationError(`Sql must be at most ${MAX_SQL_LENGTH} characters.`);
          return executeOutput(submit(input, [sql], false, context));
        }
        case 'BatchExecuteStatement': {
          const sqls = input.Sqls;
          if (!Array.isArray(sqls) || sqls.length === 0 || sqls.length > MAX_BATCH_SQLS) {
            throw validationError(`Sqls must hold between 1 and ${MAX_BATCH_SQLS} statements.`);
          }
          if (
            !sqls.every((sql) => typeof sql === 'string' && sql.length > 0 && sql.length <= MAX_SQL_LENGTH)
          ) {
            throw validationError('Every entry of Sqls must be a non-empty SQL string.');
          }
          return executeOutput(submit(input, sqls as string[], true, context));
        }
        case 'DescribeStatement':
          return describe(input);
        case 'GetStatementResult':
          return getResult(input);
        case 'ListStatements':
          return list(input);
        case 'CancelStatement':
          return cancel(input);
        default:
          throw new AwsApiError(
            'UnknownOperationException',
            `The operation ${operation} is not supported by the local Redshift Data API.`,
          );
      }
    },

    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },

    async close() {
      for (const statement of statements.values()) {
        if (isActive(statement.status)) statement.cancelRequested = true;
      }
      await Promise.all(
        [...statements.values()]
          .filter((statement) => statement.status === 'STARTED' && statement.pid > 0)
          .map((statement) =>
            cancelBackend(statement.target, statement.database, statement.pid).catch(() => undefined),
          ),
      );
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
