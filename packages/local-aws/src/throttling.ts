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

/**
 * The error each protocol's SDKs recognise as throttling (the AWS SDKs retry both with backoff): `Throttling` in
 * awsQuery (ElastiCache, RDS, Redshift), `ThrottlingException` in the JSON protocols (Secrets Manager).
 */
function throttlingError(protocol: string): AwsApiError {
  return new AwsApiError(
    protocol === 'awsQuery' ? 'Throttling' : 'ThrottlingException',
    'Rate exceeded',
    400,
  );
}

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
  return {
    wrap(service) {
      // Every protocol's handle takes the operation first, except REST ones, which are left unthrottled here.
      if (service.protocol !== 'awsJson1_1' && service.protocol !== 'awsQuery') return service;
      const inner = service as JsonProtocolService | QueryProtocolService;
      const wrapped = Object.create(inner) as typeof inner;
      wrapped.handle = async (operation: string, input: never, context: never) => {
        if (!admit(inner.serviceName, operation)) throw throttlingError(inner.protocol);
        return (inner.handle as (operation: string, input: never, context: never) => Promise<never>)(
          operation,
          input,
          context,
        );
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
