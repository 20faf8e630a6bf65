/**
 * Lambda functions: CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionConfiguration,
 * UpdateFunctionCode, ListFunctions, DeleteFunction. Everything is checked before anything is written.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { AwsApiError } from '../../service.js';
import { readZip, removeCode, requireHandlerFile, type UnpackedCode, writeCode } from '../code.js';
import type { RegisteredFunction } from '../function-host.js';
import type { LambdaFunctionRecord } from '../function-repository.js';
import { functionConfiguration } from '../render.js';
import type { LambdaContext, LambdaRequest, LambdaResponse } from './context.js';
import {
  type Input,
  invalidValue,
  jsonBody,
  optionalInteger,
  optionalString,
  requiredString,
  requireFunction,
  validation,
  validName,
} from './input.js';

const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
/** The Node.js runtimes the Lambda model lists that this endpoint can run (with the Node.js it runs on). */
const NODE_RUNTIME = /^nodejs\d+\.x$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
/** Lambda sets these itself and refuses them in Environment (Lambda's "Defined runtime environment variables"). */
const RESERVED_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

function readRole(input: Input, required: boolean): string | undefined {
  const role = required ? requiredString(input, 'Role') : optionalString(input, 'Role');
  if (role !== undefined && !ROLE.test(role)) {
    throw validation(
      `Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
    );
  }
  return role;
}

function readRuntime(input: Input, required: boolean): string | undefined {
  const runtime = required ? requiredString(input, 'Runtime') : optionalString(input, 'Runtime');
  if (runtime !== undefined && !NODE_RUNTIME.test(runtime)) {
    throw invalidValue(
      `The runtime parameter of ${runtime} is not supported by local-aws, which runs Node.js functions only (nodejs20.x, nodejs22.x, ...).`,
    );
  }
  return runtime;
}

function readEnvironment(input: Input): Record<string, string> | undefined {
  const environment = input.Environment;
  if (environment === undefined || environment === null) return undefined;
  const variables = (environment as Input).Variables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw validation("Value at 'environment.variables' failed to satisfy constraint: Member must be a map");
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables as Input)) {
    if (!ENV_KEY.test(key)) {
      throw validation(
        `Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`,
      );
    }
    if (typeof value !== 'string') {
      throw validation(
        `Value at 'environment.variables' failed to satisfy constraint: Map values must be strings`,
      );
    }
    result[key] = value;
  }
  const reserved = Object.keys(result).filter((key) => RESERVED_KEYS.has(key));
  if (reserved.length > 0) {
    throw invalidValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(result)) > 4096) {
    throw invalidValue(
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.',
    );
  }
  return result;
}

function readZipCode(input: Input, field: 'Code' | null): UnpackedCode {
  const code = field === null ? input : ((input[field] ?? {}) as Input);
  if (code.S3Bucket !== undefined || code.S3Key !== undefined || code.ImageUri !== undefined) {
    throw invalidValue(
      'local-aws accepts function code only as ZipFile (aws lambda ... --zip-file fileb://code.zip).',
    );
  }
  const zip = code.ZipFile;
  if (typeof zip !== 'string' || zip === '') {
    throw invalidValue('Please provide a source for function code.');
  }
  return readZip(zip);
}

/** Functions registered by configuration are not the API's to change. */
function requireApiRecord(context: LambdaContext, fn: RegisteredFunction): LambdaFunctionRecord {
  const record = context.repository.get(fn.functionName);
  if (!record) {
    throw invalidValue(
      `Function ${fn.functionName} was registered by local-aws's configuration (config file or options); change it there.`,
    );
  }
  return record;
}

const revision = () => randomUUID();

export function createFunction(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const input = jsonBody(request);
  const functionName = validName(requiredString(input, 'FunctionName', 140));
  const packageType = optionalString(input, 'PackageType') ?? 'Zip';
  if (packageType !== 'Zip') throw invalidValue('local-aws accepts only PackageType Zip.');
  const role = readRole(input, true)!;
  const runtime = readRuntime(input, true)!;
  const handler = requiredString(input, 'Handler', 128);
  const timeout = optionalInteger(input, 'Timeout', 1, 900) ?? 3;
  const memorySize = optionalInteger(input, 'MemorySize', 128, 10_240) ?? 128;
  const description = optionalString(input, 'Description', 256) ?? '';
  const environment = readEnvironment(input) ?? {};
  const code = readZipCode(input, 'Code');
  const file = requireHandlerFile(code, handler);
  if (context.host.resolve(functionName)) {
    throw new AwsApiError('ResourceConflictException', `Function already exist: ${functionName}`, 409);
  }
  const codeDir = context.repository.newCodeDir(functionName);
  writeCode(code, codeDir);
  const record: LambdaFunctionRecord = {
    functionName,
    runtime,
    role,
    handler,
    description,
    timeout,
    memorySize,
    environment,
    handlerFile: file,
    codeDir,
    codeSha256: code.codeSha256,
    codeSize: code.codeSize,
    lastModified: Date.now(),
    revisionId: revision(),
    policy: [],
  };
  const fn = context.repository.put(record);
  context.logger.info('lambda: CreateFunction', { functionName });
  return { statusCode: 201, json: functionConfiguration(fn, record, { creating: true }) };
}

export function getFunction(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const record = context.repository.get(fn.functionName);
  return {
    statusCode: 200,
    json: {
      Configuration: functionConfiguration(fn, record),
      Code: {
        RepositoryType: 'S3',
        Location: `file://${record ? record.codeDir : fn.config.bundlePath}`,
      },
    },
  };
}

export function getFunctionConfiguration(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  return { statusCode: 200, json: functionConfiguration(fn, context.repository.get(fn.functionName)) };
}

function checkRevision(input: Input, record: LambdaFunctionRecord) {
  const expected = optionalString(input, 'RevisionId');
  if (expected !== undefined && expected !== record.revisionId) {
    throw new AwsApiError(
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      412,
    );
  }
}

export function updateFunctionConfiguration(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const input = jsonBody(request);
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const record = requireApiRecord(context, fn);
  checkRevision(input, record);
  const role = readRole(input, false);
  const runtime = readRuntime(input, false);
  const handler = optionalString(input, 'Handler', 128);
  const timeout = optionalInteger(input, 'Timeout', 1, 900);
  const memorySize = optionalInteger(input, 'MemorySize', 128, 10_240);
  const description = optionalString(input, 'Description', 256);
  const environment = readEnvironment(input);
  let handlerFile = record.handlerFile;
  if (handler !== undefined && handler !== record.handler) {
    // The new handler must name a file of the code already deployed.
    const files = new Map<string, Uint8Array>();
    for (const entry of readdirSync(record.codeDir, { recursive: true }) as string[]) {
      files.set(entry, new Uint8Array());
    }
    handlerFile = requireHandlerFile({ files, codeSha256: '', codeSize: 0 }, handler);
  }
  const updated: LambdaFunctionRecord = {
    ...record,
    ...(role !== undefined ? { role } : {}),
    ...(runtime !== undefined ? { runtime } : {}),
    ...(handler !== undefined ? { handler, handlerFile } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(memorySize !== undefined ? { memorySize } : {}),
    ...(description !== undefined ? { description } : {}),
    // Environment replaces the variables as a whole, as Lambda's does.
    ...(environment !== undefined ? { environment } : {}),
    lastModified: Date.now(),
    revisionId: revision(),
  };
  const registered = context.repository.put(updated);
  context.logger.info('lambda: UpdateFunctionConfiguration', { functionName: fn.functionName });
  return { statusCode: 200, json: functionConfiguration(registered, updated, { updating: true }) };
}

export function updateFunctionCode(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const input = jsonBody(request);
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const record = requireApiRecord(context, fn);
  checkRevision(input, record);
  const code = readZipCode(input, null);
  const file = requireHandlerFile(code, record.handler);
  const codeDir = context.repository.newCodeDir(fn.functionName);
  writeCode(code, codeDir);
  const updated: LambdaFunctionRecord = {
    ...record,
    handlerFile: file,
    codeDir,
    codeSha256: code.codeSha256,
    codeSize: code.codeSize,
    lastModified: Date.now(),
    revisionId: revision(),
  };
  const registered = context.repository.put(updated);
  removeCode(record.codeDir);
  context.logger.info('lambda: UpdateFunctionCode', { functionName: fn.functionName });
  return { statusCode: 200, json: functionConfiguration(registered, updated, { updating: true }) };
}

export function listFunctions(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const maxItemsText = request.query.get('MaxItems');
  const maxItems = maxItemsText === null ? 50 : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
    throw validation(
      `Value '${maxItemsText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`,
    );
  }
  const marker = request.query.get('Marker');
  const all = context.host.list().sort((a, b) => (a.functionName < b.functionName ? -1 : 1));
  let start = 0;
  if (marker !== null) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    start = all.findIndex((fn) => fn.functionName > after);
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + Math.min(maxItems, 50));
  const last = page[page.length - 1];
  return {
    statusCode: 200,
    json: {
      Functions: page.map((fn) => functionConfiguration(fn, context.repository.get(fn.functionName))),
      ...(start + page.length < all.length && last
        ? { NextMarker: Buffer.from(last.functionName).toString('base64url') }
        : {}),
    },
  };
}

export function deleteFunction(context: LambdaContext, request: LambdaRequest): LambdaResponse {
  const fn = requireFunction(context.host, request.params.FunctionName!, request);
  const record = context.repository.get(fn.functionName);
  if (record) {
    context.repository.remove(fn.functionName);
    removeCode(record.codeDir);
  } else {
    context.host.unregister(fn.functionName);
  }
  context.logger.info('lambda: DeleteFunction', { functionName: fn.functionName });
  return { statusCode: 204 };
}
