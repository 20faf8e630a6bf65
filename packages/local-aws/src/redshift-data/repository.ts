/** The statements the endpoint keeps for Describe/List/GetStatementResult, oldest dropped first. */
import { AwsApiError } from '../service.js';
import { isActive, type Statement, type SubStatement } from './model.js';
import { validationError } from './sql-parameters.js';

const ID_PATTERN = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;

export interface StatementRepository {
  all(): Statement[];
  add(statement: Statement): void;
  byClientToken(token: string): Statement | undefined;
  activeCount(): number;
  /** A statement or batch by Id, or a batch's sub-statement by `<id>:<n>`; ResourceNotFoundException else. */
  find(id: string): { statement: Statement; sub?: SubStatement };
  /** Ids handed out to sub-statements as RedshiftQueryId. */
  nextQueryId(): number;
}

function statementNotFound(id: string): AwsApiError {
  return new AwsApiError('ResourceNotFoundException', `Query does not exist. Statement id: ${id}`, 404);
}

export function createStatementRepository(retained: number): StatementRepository {
  const statements = new Map<string, Statement>();
  const clientTokens = new Map<string, string>();
  let queryIds = 1000;
  return {
    all: () => [...statements.values()],
    add(statement) {
      statements.set(statement.id, statement);
      if (statement.clientToken !== undefined) clientTokens.set(statement.clientToken, statement.id);
      while (statements.size > retained) {
        const oldest = statements.keys().next().value;
        if (oldest === undefined) break;
        const dropped = statements.get(oldest);
        if (dropped && isActive(dropped.status)) break;
        statements.delete(oldest);
        if (dropped?.clientToken !== undefined) clientTokens.delete(dropped.clientToken);
      }
    },
    byClientToken: (token) => statements.get(clientTokens.get(token) ?? ''),
    activeCount: () => [...statements.values()].filter((statement) => isActive(statement.status)).length,
    find(id) {
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
    },
    nextQueryId: () => ++queryIds,
  };
}
