/** A function's resource-based policy: AddPermission, GetPolicy, RemovePermission. */
import { AwsApiError } from '../../service.js';
import type { PermissionStatement } from '../policy.js';
import type { LambdaContext, LambdaRequest, LambdaResponse } from './context.js';
import {
  invalidValue,
  jsonBody,
  optionalString,
  requiredString,
  requireFunction,
  validation,
} from './input.js';

const STATEMENT_ID = /^([a-zA-Z0-9-_.]+)$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;

function policyDocument(functionArn: string, statements: readonly PermissionStatement[]) {
  return {
    Version: '2012-10-17',
    Id: 'default',
    Statement: statements.map((statement) => statementDocument(functionArn, statement)),
  };
}

function statementDocument(functionArn: string, statement: PermissionStatement) {
  const condition: Record<string, Record<string, string>> = {};
  if (statement.sourceAccount !== undefined) {
    condition.StringEquals = { 'AWS:SourceAccount': statement.sourceAccount };
  }
  if (statement.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': statement.sourceArn };
  return {
    Sid: statement.sid,
    Effect: 'Allow',
    Principal: statement.principal.endsWith('.amazonaws.com')
      ? { Service: statement.principal }
      : { AWS: statement.principal },
    Action: statement.action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function apiRecord(context: LambdaContext, functionName: string) {
  const record = context.repository.get(functionName);
  if (!record) {
    throw invalidValue(
      `Function ${functionName} was registered by local-aws's configuration, which lets every service invoke it; it has no policy to change.`,
    );
  }
  return record;
}

export function addPermission(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const input = jsonBody(request);
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const sid = requiredString(input, 'StatementId', 100);
  if (!STATEMENT_ID.test(sid)) {
    throw validation(
      `Value '${sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`,
    );
  }
  const action = requiredString(input, 'Action');
  if (!ACTION.test(action)) {
    throw validation(
      `Value '${action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`,
    );
  }
  const principal = requiredString(input, 'Principal');
  const sourceArn = optionalString(input, 'SourceArn');
  const sourceAccount = optionalString(input, 'SourceAccount', 12);
  if (sourceAccount !== undefined && !/^\d{12}$/.test(sourceAccount)) {
    throw validation(
      `Value '${sourceAccount}' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}`,
    );
  }
  for (const unsupported of ['EventSourceToken', 'PrincipalOrgID', 'FunctionUrlAuthType', 'Qualifier']) {
    if (input[unsupported] !== undefined)
      throw invalidValue(`local-aws does not support ${unsupported} in AddPermission.`);
  }
  const record = apiRecord(context, fn.functionName);
  if (record.policy.some((statement) => statement.sid === sid)) {
    throw new AwsApiError(
      'ResourceConflictException',
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      409,
    );
  }
  const statement: PermissionStatement = {
    sid,
    action: action === '*' ? 'lambda:*' : action,
    principal,
    ...(sourceArn !== undefined ? { sourceArn } : {}),
    ...(sourceAccount !== undefined ? { sourceAccount } : {}),
  };
  context.repository.put({ ...record, policy: [...record.policy, statement] });
  context.logger.info('lambda: AddPermission', { functionName: fn.functionName, sid, principal });
  return {
    statusCode: 201,
    json: { Statement: JSON.stringify(statementDocument(fn.functionArn, statement)) },
  };
}

export function getPolicy(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const record = context.repository.get(fn.functionName);
  if (!record || record.policy.length === 0) {
    throw new AwsApiError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
  }
  return {
    statusCode: 200,
    json: {
      Policy: JSON.stringify(policyDocument(fn.functionArn, record.policy)),
      RevisionId: record.revisionId,
    },
  };
}

export function removePermission(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const sid = request.params.StatementId!;
  const record = apiRecord(context, fn.functionName);
  if (!record.policy.some((statement) => statement.sid === sid)) {
    throw new AwsApiError('ResourceNotFoundException', 'Statement not found in the resource policy.', 404);
  }
  context.repository.put({ ...record, policy: record.policy.filter((statement) => statement.sid !== sid) });
  return { statusCode: 204 };
}
