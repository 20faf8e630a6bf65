import type { LocalAwsLogger } from '../../logger.js';
import type { ServiceContext } from '../../service.js';
import type { FunctionHost } from '../function-host.js';
import type { FunctionRepository } from '../function-repository.js';

/** What every Lambda operation works with. */
export interface LambdaContext {
  readonly host: FunctionHost;
  readonly repository: FunctionRepository;
  readonly logger: LocalAwsLogger;
}

/** One REST-JSON request, its path parameters already taken out of the URL. */
export interface LambdaRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body: JSON for every operation but Invoke, whose body is the event payload. */
  readonly body: string;
  readonly service: ServiceContext;
}

export interface LambdaResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** JSON output; Invoke's payload is passed as `raw`. */
  readonly json?: Record<string, unknown>;
  readonly raw?: string;
}

export type LambdaOperation = (
  context: LambdaContext,
  request: LambdaRequest,
) => Promise<LambdaResponse> | LambdaResponse;
