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
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type JsonProtocolService } from '../service.js';
import { isActive } from './model.js';
import type { RedshiftDataContext, RedshiftDataOperation } from './operations/context.js';
import { getStatementResult } from './operations/results.js';
import { cancelStatement, describeStatement, listStatements } from './operations/statements.js';
import { executeBatch, executeSingle } from './operations/submit.js';
import { createStatementRepository } from './repository.js';
import { cancelBackend } from './statement-runner.js';
import { createTargetResolver, type PostgresTargetConfig } from './targets.js';

export { type PostgresTargetConfig, resolveTarget } from './targets.js';

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

const OPERATIONS: Record<string, RedshiftDataOperation> = {
  ExecuteStatement: executeSingle,
  BatchExecuteStatement: executeBatch,
  DescribeStatement: describeStatement,
  GetStatementResult: getStatementResult,
  ListStatements: listStatements,
  CancelStatement: cancelStatement,
};

export function createRedshiftDataService(options: RedshiftDataServiceOptions = {}): RedshiftDataService {
  const context: RedshiftDataContext = {
    repository: createStatementRepository(options.retainedStatements ?? 10_000),
    targetFor: createTargetResolver(options),
    maxActiveStatements: options.maxActiveStatements ?? 500,
    resultPageSize: options.resultPageSize ?? 1000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    running: new Set(),
    logger: options.logger ?? silentLogger,
  };
  const { repository, running } = context;

  return {
    protocol: 'awsJson1_1',
    serviceName: 'redshift-data',
    targetPrefix: 'RedshiftData',

    async handle(operation, input, service) {
      const handler = OPERATIONS[operation];
      if (!handler) {
        throw new AwsApiError(
          'UnknownOperationException',
          `The operation ${operation} is not supported by the local Redshift Data API.`,
        );
      }
      return handler(context, input, service);
    },

    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },

    async close() {
      const statements = repository.all();
      for (const statement of statements) {
        if (isActive(statement.status)) statement.cancelRequested = true;
      }
      await Promise.all(
        statements
          .filter((statement) => statement.status === 'STARTED' && statement.pid > 0)
          .map((statement) =>
            cancelBackend(statement.target, statement.database, statement.pid).catch(() => undefined),
          ),
      );
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
