/**
 * The Lambda API the rotation workflow needs, over Lambda's REST-JSON protocol (API version 2015-03-31):
 * functions created from a zip and run by the function host (docs/decisions/0012, 0120), their
 * configuration, code and resource policy, and Invoke. This file is wiring: routes to operations/.
 */
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type RestJsonService } from '../service.js';
import type { FunctionHost } from './function-host.js';
import { createFunctionRepository } from './function-repository.js';
import type { LambdaContext, LambdaOperation } from './operations/context.js';
import {
  createFunction,
  deleteFunction,
  getFunction,
  getFunctionConfiguration,
  listFunctions,
  updateFunctionCode,
  updateFunctionConfiguration,
} from './operations/functions.js';
import { invoke } from './operations/invoke.js';
import { addPermission, getPolicy, removePermission } from './operations/permissions.js';

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly operation: string;
  readonly run: LambdaOperation;
}

const FN = '(?<FunctionName>[^/]+)';
const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/2015-03-31\/functions\/?$/,
    operation: 'CreateFunction',
    run: createFunction,
  },
  { method: 'GET', pattern: /^\/2015-03-31\/functions\/?$/, operation: 'ListFunctions', run: listFunctions },
  {
    method: 'GET',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/configuration$`),
    operation: 'GetFunctionConfiguration',
    run: getFunctionConfiguration,
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/configuration$`),
    operation: 'UpdateFunctionConfiguration',
    run: updateFunctionConfiguration,
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/code$`),
    operation: 'UpdateFunctionCode',
    run: updateFunctionCode,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy$`),
    operation: 'AddPermission',
    run: addPermission,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy$`),
    operation: 'GetPolicy',
    run: getPolicy,
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy/(?<StatementId>[^/]+)$`),
    operation: 'RemovePermission',
    run: removePermission,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}/invocations$`),
    operation: 'Invoke',
    run: invoke,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}$`),
    operation: 'GetFunction',
    run: getFunction,
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/2015-03-31/functions/${FN}$`),
    operation: 'DeleteFunction',
    run: deleteFunction,
  },
];

/** The operations served, for the README and the model checks. */
export const LAMBDA_OPERATIONS = ROUTES.map((route) => route.operation);

export interface LambdaService extends RestJsonService {
  close(): Promise<void>;
}

export function createLambdaService(options: {
  host: FunctionHost;
  stateFile?: string | undefined;
  logger?: LocalAwsLogger;
}): LambdaService {
  const logger = options.logger ?? silentLogger;
  const repository = createFunctionRepository({ host: options.host, stateFile: options.stateFile, logger });
  const context: LambdaContext = { host: options.host, repository, logger };
  return {
    protocol: 'restJson1',
    serviceName: 'lambda',
    pathPrefix: '/2015-03-31/functions',
    operationOf(method, path) {
      return ROUTES.find((route) => route.method === method && route.pattern.test(path))?.operation;
    },
    async handle(request, service) {
      for (const route of ROUTES) {
        if (route.method !== request.method) continue;
        const match = route.pattern.exec(request.path);
        if (!match) continue;
        const params = Object.fromEntries(
          Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]),
        );
        return route.run(context, {
          params,
          query: request.query,
          headers: request.headers,
          body: request.body,
          service,
        });
      }
      throw new AwsApiError(
        'UnknownOperationException',
        `local-aws's Lambda does not serve ${request.method} ${request.path}.`,
        404,
      );
    },
    async close() {
      repository.close();
    },
  };
}
