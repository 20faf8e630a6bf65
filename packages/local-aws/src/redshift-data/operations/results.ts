/** A finished statement's result set: GetStatementResult, paged. */
import { AwsApiError } from '../../service.js';
import { decodeToken, encodeToken, optionalString, requiredString } from '../input.js';
import { type ColumnMetadata, columnMetadata, type Field, toField } from '../records.js';
import { validationError } from '../sql-parameters.js';
import type { RedshiftDataContext } from './context.js';

export function getStatementResult(context: RedshiftDataContext, input: Record<string, unknown>) {
  const id = requiredString(input, 'Id');
  const { statement, sub } = context.repository.find(id);
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
  const pageSize = context.resultPageSize;
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
