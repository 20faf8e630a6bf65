/** Submitted statements: DescribeStatement, ListStatements, CancelStatement. */
import { decodeToken, encodeToken, optionalString, requiredString } from '../input.js';
import { isActive, STATUS_FILTERS } from '../model.js';
import { describeOutput, listEntryOutput } from '../render.js';
import { validationError } from '../sql-parameters.js';
import { cancelBackend } from '../statement-runner.js';
import type { RedshiftDataContext } from './context.js';

export function describeStatement(context: RedshiftDataContext, input: Record<string, unknown>) {
  const { statement } = context.repository.find(requiredString(input, 'Id'));
  return describeOutput(statement);
}

export function listStatements(context: RedshiftDataContext, input: Record<string, unknown>) {
  const maxResults = input.MaxResults ?? 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 100) {
    throw validationError('MaxResults must be between 0 and 100.');
  }
  const status = optionalString(input, 'Status') ?? 'ALL';
  if (!STATUS_FILTERS.includes(status))
    throw validationError(`Status must be one of ${STATUS_FILTERS.join(', ')}.`);
  const name = optionalString(input, 'StatementName');
  const database = optionalString(input, 'Database');
  const clusterIdentifier = optionalString(input, 'ClusterIdentifier');
  const workgroupName = optionalString(input, 'WorkgroupName');
  const matching = context.repository
    .all()
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
    Statements: page.map(listEntryOutput),
    NextToken: offset + size < matching.length ? encodeToken(offset + size) : undefined,
  };
}

export async function cancelStatement(context: RedshiftDataContext, input: Record<string, unknown>) {
  const { statement } = context.repository.find(requiredString(input, 'Id'));
  if (!isActive(statement.status)) {
    throw validationError(`Could not cancel a query that is already in ${statement.status} state.`);
  }
  statement.cancelRequested = true;
  if (statement.status === 'STARTED' && statement.pid > 0) {
    await cancelBackend(statement.target, statement.database, statement.pid);
  }
  context.logger.info('redshift-data: cancel requested', { id: statement.id });
  return { Status: true };
}
