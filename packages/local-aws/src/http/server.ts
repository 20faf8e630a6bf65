import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import {
  AwsApiError,
  type JsonProtocolService,
  type LocalService,
  type QueryProtocolService,
  type RestJsonService,
  type ServiceContext,
} from '../service.js';
import { parseAmzTarget, parseJsonBody, writeJsonError, writeJsonResult } from './json-protocol.js';
import { checkLocalRequest } from './local-origin.js';
import { isFormRequest, signingServiceName, writeQueryError, writeQueryResult } from './query-protocol.js';
import type { Refusal } from './refusal.js';
import { writeRestError, writeRestResult } from './rest-json-protocol.js';
import { createSigV4Verifier, type EndpointAuth, type SigV4Verifier } from './sigv4-verifier.js';

/** Requests above this size are refused; Secrets Manager's own limit on a secret value is 64 KiB. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpEndpointOptions {
  services: readonly LocalService[];
  context: ServiceContext;
  /** 0 (default) picks a free port. The endpoint listens on 127.0.0.1 only. */
  port?: number;
  /** Default `{ mode: 'none' }`: signatures are accepted unverified. */
  auth?: EndpointAuth;
  logger?: LocalAwsLogger;
}

/** API calls per service and operation, e.g. `counts.secretsmanager?.GetSecretValue`. */
export type ApiCallCounts = Record<string, Record<string, number>>;

export interface HttpEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  apiCalls(): ApiCallCounts;
  resetApiCalls(): void;
  close(): Promise<void>;
}

/**
 * The local endpoint's HTTP layer: routes awsJson1_1 requests by `X-Amz-Target` and awsQuery requests by
 * the SigV4 signing service, and owns both wire formats. Before any service sees a request it must come
 * from this machine (loopback Host, no foreign Origin: docs/decisions/0014) and, with `auth: sigv4`, carry
 * a valid signature; otherwise signatures are accepted unverified, so dummy credentials work.
 */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const logger = options.logger ?? silentLogger;
  const jsonServices = new Map<string, JsonProtocolService>();
  const queryServices = new Map<string, QueryProtocolService>();
  const restServices: RestJsonService[] = [];
  for (const service of options.services) {
    if (service.protocol === 'awsJson1_1') jsonServices.set(service.targetPrefix, service);
    else if (service.protocol === 'restJson1') restServices.push(service);
    else queryServices.set(service.serviceName, service);
  }
  let counts: ApiCallCounts = {};
  const count = (service: string, operation: string) => {
    const perService = counts[service] ?? {};
    perService[operation] = (perService[operation] ?? 0) + 1;
    counts[service] = perService;
  };

  let port = 0;
  const verify: SigV4Verifier | undefined =
    options.auth?.mode === 'sigv4'
      ? createSigV4Verifier({ keys: options.auth.keys, region: options.context.region })
      : undefined;

  /** The request's own protocol, for its errors; and the service it is addressed to, if any. */
  const addressOf = (req: IncomingMessage, body: string): RequestAddress => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const parsed = parseAmzTarget(target);
      const service = parsed ? jsonServices.get(parsed.prefix) : undefined;
      return { protocol: 'awsJson1_1', target, operation: parsed?.operation, service };
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rest = restServices.find((service) => path.startsWith(service.pathPrefix));
    if (rest) return { protocol: 'restJson1', service: rest };
    if (req.method === 'POST' && isFormRequest(req.headers, body)) {
      return {
        protocol: 'awsQuery',
        service: pickQueryService(queryServices, signingServiceName(req.headers)),
      };
    }
    return { protocol: 'none' };
  };

  const refuse = (res: ServerResponse, requestId: string, address: RequestAddress, refused: Refusal) => {
    if (address.protocol === 'awsQuery') {
      writeQueryError(res, requestId, {
        ...refused.awsQuery,
        message: refused.message,
        xmlNamespace: address.service?.xmlNamespace,
      });
    } else writeJsonError(res, requestId, { ...refused.awsJson, message: refused.message });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, body: string, requestId: string) => {
    const address = addressOf(req, body);
    // Nothing is routed, counted or executed for a request from a web page or for a bad signature.
    const refused =
      checkLocalRequest(req.headers, port) ??
      (await verify?.(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
        address.service?.serviceName,
      ));
    if (refused) {
      logger.warn('Request refused', {
        error: refused.awsJson.code,
        host: req.headers.host?.slice(0, 100),
        origin: req.headers.origin?.slice(0, 100),
      });
      refuse(res, requestId, address, refused);
      return;
    }

    if (address.protocol === 'awsJson1_1') {
      const { service, operation, target } = address;
      if (!service || operation === undefined) {
        writeJsonError(res, requestId, {
          code: 'UnknownOperationException',
          message: `This endpoint does not serve the target ${target}.`,
          statusCode: 400,
        });
        return;
      }
      count(service.serviceName, operation);
      const input = parseJsonBody(body);
      if (!input) {
        writeJsonError(res, requestId, {
          code: 'SerializationException',
          message: 'The request body is not a JSON object.',
          statusCode: 400,
        });
        return;
      }
      try {
        const output = await service.handle(operation, input, options.context);
        writeJsonResult(res, requestId, output);
      } catch (error) {
        const apiError = toApiError(error, 'InternalServiceError');
        if (apiError.statusCode >= 500) logger.error('Service failed', describe(error, service, operation));
        writeJsonError(res, requestId, apiError);
      }
      return;
    }

    if (address.protocol === 'restJson1') {
      const { service } = address;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      count(service.serviceName, service.operationOf(method, url.pathname) ?? `${method} ${url.pathname}`);
      try {
        const output = await service.handle(
          { method, path: url.pathname, query: url.searchParams, headers: req.headers, body },
          options.context,
        );
        writeRestResult(res, requestId, output);
      } catch (error) {
        const apiError = toApiError(error, 'ServiceException');
        if (apiError.statusCode >= 500) logger.error('Service failed', describe(error, service, method));
        writeRestError(res, requestId, apiError);
      }
      return;
    }

    if (address.protocol === 'awsQuery') {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      const { service } = address;
      if (!service) {
        writeQueryError(res, requestId, {
          code: 'InvalidAction',
          message: `No awsQuery service on this endpoint matches the request's signing service (${signingServiceName(req.headers) ?? 'none'}).`,
          statusCode: 400,
        });
        return;
      }
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) {
        writeQueryError(res, requestId, {
          code: 'MissingAction',
          message: 'The request must contain the parameter Action.',
          statusCode: 400,
          xmlNamespace: service.xmlNamespace,
        });
        return;
      }
      count(service.serviceName, action);
      try {
        const resultXml = await service.handle(action, params, options.context);
        writeQueryResult(res, requestId, { action, xmlNamespace: service.xmlNamespace, resultXml });
      } catch (error) {
        const apiError = toApiError(error, 'InternalFailure');
        if (apiError.statusCode >= 500) logger.error('Service failed', describe(error, service, action));
        writeQueryError(res, requestId, {
          code: apiError.code,
          message: apiError.message,
          statusCode: apiError.statusCode,
          xmlNamespace: service.xmlNamespace,
        });
      }
      return;
    }

    if (req.method === 'GET' && (req.url === '/' || req.url === '/health')) {
      const bodyText = JSON.stringify({
        status: 'running',
        services: options.services.map((service) => service.serviceName),
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(bodyText),
      });
      res.end(bodyText);
      return;
    }

    writeJsonError(res, requestId, {
      code: 'UnknownOperationException',
      message: 'The request has neither an X-Amz-Target header nor a form-encoded Action.',
      statusCode: 400,
    });
  };

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    readBody(req).then(
      (body) =>
        route(req, res, body, requestId).catch((error: unknown) => {
          logger.error('Request failed', { error: String(error) });
          if (!res.headersSent) {
            writeJsonError(res, requestId, {
              code: 'InternalFailure',
              message: 'The local endpoint failed.',
              statusCode: 500,
            });
          } else res.end();
        }),
      () => {
        writeJsonError(res, requestId, {
          code: 'RequestEntityTooLarge',
          message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
          statusCode: 413,
        });
      },
    );
  });
  // SDK clients keep connections alive. A server that closes idle sockets first races the client's next
  // request on them ("socket hang up"), so idle sockets live longer here than in clients' pools, as behind
  // AWS's load balancers; close() ends them all at once anyway.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info('Local AWS endpoint listening', { url });

  return {
    url,
    port,
    apiCalls: () => structuredClone(counts),
    resetApiCalls: () => {
      counts = {};
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

type RequestAddress =
  | {
      protocol: 'awsJson1_1';
      target: string;
      operation: string | undefined;
      service: JsonProtocolService | undefined;
    }
  | { protocol: 'awsQuery'; service: QueryProtocolService | undefined }
  | { protocol: 'restJson1'; service: RestJsonService }
  | { protocol: 'none'; service?: undefined };

function pickQueryService(
  services: Map<string, QueryProtocolService>,
  signingService: string | undefined,
): QueryProtocolService | undefined {
  if (signingService) return services.get(signingService);
  // Unsigned requests (curl, tests) are unambiguous when only one awsQuery service is mounted.
  return services.size === 1 ? services.values().next().value : undefined;
}

function toApiError(error: unknown, internalCode: string): AwsApiError {
  if (error instanceof AwsApiError) return error;
  // The message of an unexpected failure may carry anything (connection strings, values); keep it out.
  return new AwsApiError(internalCode, 'The local endpoint hit an internal error; see its log.', 500);
}

function describe(error: unknown, service: LocalService, operation: string): Record<string, unknown> {
  return {
    service: service.serviceName,
    operation,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
