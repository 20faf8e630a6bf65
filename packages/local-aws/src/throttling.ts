/**
 * Per-operation request-rate limits, answered with the service's own throttling error (packages/local-aws
 * README, "Request throttling", for the sources of each default). A token bucket per service and operation:
 * `ratePerSecond` tokens a second, up to `burst`; a request without a token is refused and changes nothing.
 * The endpoint is never kinder than AWS: AWS's limits are per account and region, as here (one endpoint
 * serves one account), and a refused request costs the caller the same round trip.
 */
import {
  AwsApiError,
  type JsonProtocolService,
  type LocalService,
  type QueryProtocolService,
  type RestJsonService,
} from './service.js';

export interface RateLimit {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests allowed at once above the sustained rate (the bucket's size). */
  burst: number;
  /** Operations naming the same bucket share it (AWS's "combined rate of ..." quotas). */
  bucket?: string;
}

/** Limits by service name (`secretsmanager`, `elasticache`, ...) and operation; `*` is any other operation. */
export type ThrottlingLimits = Record<string, Record<string, RateLimit>>;

/**
 * Defaults near AWS's published quotas (sources in the README): Secrets Manager's request quotas
 * (GetSecretValue 10,000/s, DescribeSecret 40,000/s, PutSecretValue and UpdateSecretVersionStage a combined
 * 50/s, RotateSecret 50/s); ElastiCache publishes no request quotas, so its control-plane APIs get the bucket
 * EC2 documents for a non-mutating API (100 tokens, refilled 20/s) and, for changes, a smaller one.
 */
export const DEFAULT_THROTTLING_LIMITS: ThrottlingLimits = {
  secretsmanager: {
    GetSecretValue: { ratePerSecond: 10_000, burst: 10_000 },
    DescribeSecret: { ratePerSecond: 40_000, burst: 40_000 },
    PutSecretValue: { ratePerSecond: 50, burst: 50, bucket: 'version-writes' },
    UpdateSecretVersionStage: { ratePerSecond: 50, burst: 50, bucket: 'version-writes' },
    '*': { ratePerSecond: 50, burst: 50 },
  },
  elasticache: {
    DescribeUsers: { ratePerSecond: 20, burst: 100 },
    DescribeUserGroups: { ratePerSecond: 20, burst: 100 },
    DescribeReplicationGroups: { ratePerSecond: 20, burst: 100 },
    DescribeServerlessCaches: { ratePerSecond: 20, burst: 100 },
    '*': { ratePerSecond: 5, burst: 50 },
  },
};

/** The error each protocol's SDKs recognise as throttling (the AWS SDKs retry both with backoff). */
const THROTTLING_ERRORS: Record<LocalService['protocol'], { code: string; message: string }> = {
  awsJson1_1: { code: 'ThrottlingException', message: 'Rate exceeded' },
  awsQuery: { code: 'Throttling', message: 'Rate exceeded' },
  // Lambda's own name for it (TooManyRequestsException, HTTP 429).
  restJson1: { code: 'TooManyRequestsException', message: 'Rate exceeded' },
};

export interface ThrottlingCounts {
  /** Requests refused, by service and operation. */
  throttled: Record<string, Record<string, number>>;
}

export interface Throttle {
  /** Wraps a service so each request first takes a token of its operation's bucket. */
  wrap(service: LocalService): LocalService;
  counts(): ThrottlingCounts;
  reset(): void;
}

class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.#tokens = limit.burst;
    this.#at = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#tokens = Math.min(this.limit.burst, this.#tokens + elapsed * this.limit.ratePerSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export function validateLimits(limits: ThrottlingLimits): void {
  for (const [service, operations] of Object.entries(limits)) {
    for (const [operation, limit] of Object.entries(operations)) {
      if (!(limit.ratePerSecond > 0) || !Number.isFinite(limit.ratePerSecond)) {
        throw new TypeError(`throttling ${service}.${operation}: ratePerSecond must be a positive number`);
      }
      if (!Number.isInteger(limit.burst) || limit.burst < 1) {
        throw new TypeError(`throttling ${service}.${operation}: burst must be a whole number, 1 or more`);
      }
    }
  }
}

/** Limits merged over the defaults: a service or operation given replaces the default one. */
export function createThrottle(
  limits: ThrottlingLimits = DEFAULT_THROTTLING_LIMITS,
  now: () => number = () => performance.now(),
): Throttle {
  validateLimits(limits);
  const buckets = new Map<string, TokenBucket>();
  let throttled: Record<string, Record<string, number>> = {};

  const admit = (service: string, operation: string): boolean => {
    const operations = limits[service];
    const limit = operations?.[operation] ?? operations?.['*'];
    if (!limit) return true;
    const key = `${service}\u0000${limit.bucket ?? (operations?.[operation] ? operation : '*')}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, now());
      buckets.set(key, bucket);
    }
    if (bucket.take(now())) return true;
    const perService = throttled[service] ?? {};
    perService[operation] = (perService[operation] ?? 0) + 1;
    throttled[service] = perService;
    return false;
  };
  const refusal = (service: LocalService) => {
    const error = THROTTLING_ERRORS[service.protocol];
    return new AwsApiError(error.code, error.message, service.protocol === 'restJson1' ? 429 : 400);
  };

  return {
    wrap(service) {
      if (service.protocol === 'awsJson1_1') {
        const inner: JsonProtocolService = service;
        const wrapped: JsonProtocolService = {
          protocol: 'awsJson1_1',
          serviceName: inner.serviceName,
          targetPrefix: inner.targetPrefix,
          async handle(operation, input, context) {
            if (!admit(inner.serviceName, operation)) throw refusal(inner);
            return inner.handle(operation, input, context);
          },
          close: () => inner.close?.() ?? Promise.resolve(),
        };
        return wrapped;
      }
      if (service.protocol === 'restJson1') {
        const inner: RestJsonService = service;
        const wrapped: RestJsonService = {
          protocol: 'restJson1',
          serviceName: inner.serviceName,
          pathPrefix: inner.pathPrefix,
          operationOf: (method, path) => inner.operationOf(method, path),
          async handle(request, context) {
            const operation = inner.operationOf(request.method, request.path);
            if (operation !== undefined && !admit(inner.serviceName, operation)) throw refusal(inner);
            return inner.handle(request, context);
          },
          close: () => inner.close?.() ?? Promise.resolve(),
        };
        return wrapped;
      }
      const inner: QueryProtocolService = service;
      const wrapped: QueryProtocolService = {
        protocol: 'awsQuery',
        serviceName: inner.serviceName,
        xmlNamespace: inner.xmlNamespace,
        async handle(action, params, context) {
          if (!admit(inner.serviceName, action)) throw refusal(inner);
          return inner.handle(action, params, context);
        },
        close: () => inner.close?.() ?? Promise.resolve(),
      };
      return wrapped;
    },
    counts: () => ({ throttled: structuredClone(throttled) }),
    reset: () => {
      throttled = {};
      buckets.clear();
    },
  };
}
