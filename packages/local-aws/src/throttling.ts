/**
 * Per-operation request-rate limits, answered with the service's own throttling error (packages/local-aws
 * README, "Request throttling", for the sources of each default). A token bucket per service and operation:
 * `ratePerSecond` tokens a second, up to `burst`; a request without a token is refused and changes nothing.
 * The endpoint is never kinder than AWS: AWS's limits are per account and region, as here (one endpoint
 * serves one account), and a refused request costs the caller the same round trip.
 */
import { AwsApiError, type LocalService } from './service.js';

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
      const refuseWhenOverLimit = (operation: string | undefined) => {
        if (operation !== undefined && !admit(service.serviceName, operation)) throw refusal(service);
      };
      switch (service.protocol) {
        case 'awsJson1_1':
          return withHandle(service, async (operation, input, context) => {
            refuseWhenOverLimit(operation);
            return service.handle(operation, input, context);
          });
        case 'restJson1':
          return withHandle(service, async (request, context) => {
            refuseWhenOverLimit(service.operationOf(request.method, request.path));
            return service.handle(request, context);
          });
        default:
          return withHandle(service, async (action, params, context) => {
            refuseWhenOverLimit(action);
            return service.handle(action, params, context);
          });
      }
    },
    counts: () => ({ throttled: structuredClone(throttled) }),
    reset: () => {
      throttled = {};
      buckets.clear();
    },
  };
}

/** The service as it is, with another `handle` (everything else is the service's own, by delegation). */
function withHandle<T extends LocalService>(inner: T, handle: T['handle']): T {
  return Object.assign(Object.create(inner) as T, { handle });
}
