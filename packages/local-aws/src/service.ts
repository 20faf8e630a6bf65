/**
 * The seam between the local endpoint's HTTP layer (routing, protocols, call counting) and the services it
 * emulates. Each service only maps an operation and its input to a result or an AwsApiError; the HTTP layer
 * owns the wire formats (awsJson1_1 bodies and `__type` errors; awsQuery form bodies and XML envelopes).
 */

/** An error the HTTP layer serializes the way the service's protocol does, so SDK clients raise `code`. */
export class AwsApiError extends Error {
  override readonly name = 'AwsApiError';
  constructor(
    /** The AWS error code, e.g. `ResourceNotFoundException` or `UserNotFound`. */
    readonly code: string,
    message: string,
    /** HTTP status: 400 for client faults, 500 for server faults. */
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** What services may ask of the endpoint that hosts them. */
export interface ServiceContext {
  readonly region: string;
  readonly accountId: string;
  /** The AWSCURRENT SecretString of a secret, by name or (partial) ARN; undefined when there is none. */
  readSecretString(secretId: string): Promise<string | undefined>;
}

/** A service spoken in awsJson1_1: `X-Amz-Target: <targetPrefix>.<Operation>`, JSON in and out. */
export interface JsonProtocolService {
  readonly protocol: 'awsJson1_1';
  /** Name used when counting API calls, e.g. `secretsmanager`, `redshift-data`. */
  readonly serviceName: string;
  /** The part of X-Amz-Target before the dot, e.g. `secretsmanager`, `RedshiftData`. */
  readonly targetPrefix: string;
  handle(
    operation: string,
    input: Record<string, unknown>,
    context: ServiceContext,
  ): Promise<Record<string, unknown>>;
  close?(): Promise<void>;
}

/** A service spoken in awsQuery: form-encoded `Action=...&Version=...`, XML responses. */
export interface QueryProtocolService {
  readonly protocol: 'awsQuery';
  /** Name used when counting API calls and matched against the SigV4 credential scope, e.g. `elasticache`. */
  readonly serviceName: string;
  /** The XML namespace of responses, e.g. `http://elasticache.amazonaws.com/doc/2015-02-02/`. */
  readonly xmlNamespace: string;
  /**
   * Returns the XML that goes inside `<{Action}Result>`; the HTTP layer wraps it in
   * `<{Action}Response xmlns=...>` with ResponseMetadata. Params are the flattened query parameters
   * (`UserIds.member.1=...`, `Passwords.member.1=...`).
   */
  handle(action: string, params: URLSearchParams, context: ServiceContext): Promise<string>;
  close?(): Promise<void>;
}

/** One REST-JSON request (Lambda): the route is the method and path, the body JSON or a payload. */
export interface RestRequest {
  readonly method: string;
  /** The URL path, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface RestResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** A JSON output, or `raw` for a payload passed through as is (Invoke). */
  readonly json?: Record<string, unknown>;
  readonly raw?: string;
}

/** A service spoken in restJson1 (Lambda): routed by path prefix; errors carry `x-amzn-errortype`. */
export interface RestJsonService {
  readonly protocol: 'restJson1';
  /** Name used when counting API calls and matched against the SigV4 credential scope, e.g. `lambda`. */
  readonly serviceName: string;
  /** Requests whose path starts with this go to the service, e.g. `/2015-03-31/functions`. */
  readonly pathPrefix: string;
  /** The operation a request addresses, for counting; undefined when no route matches. */
  operationOf(method: string, path: string): string | undefined;
  handle(request: RestRequest, context: ServiceContext): Promise<RestResponse>;
  close?(): Promise<void>;
}

export type LocalService = JsonProtocolService | QueryProtocolService | RestJsonService;
