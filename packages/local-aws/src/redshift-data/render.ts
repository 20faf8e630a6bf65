/** The output shapes of the Redshift Data API's statements. */
import { isActive, type Statement } from './model.js';
import type { StatementResult } from './statement-runner.js';

const epochSeconds = (date: Date) => date.getTime() / 1000;

export function executeOutput(statement: Statement): Record<string, unknown> {
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

function resultFacts(result: StatementResult | undefined) {
  const hasResultSet = (result?.fields.length ?? 0) > 0;
  return {
    HasResultSet: hasResultSet,
    ResultRows: result ? (result.rowCount ?? -1) : -1,
    ResultSize: hasResultSet && result ? Buffer.byteLength(JSON.stringify(result.rows)) : 0,
  };
}

export function describeOutput(statement: Statement): Record<string, unknown> {
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

export function listEntryOutput(statement: Statement): Record<string, unknown> {
  return {
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
  };
}
