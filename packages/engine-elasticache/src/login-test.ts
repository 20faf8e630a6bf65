/**
 * The login test at trusted endpoints only (see trusted-endpoints.ts): `AUTH` at the endpoint the
 * function was configured with or the secret picked among the trusted ones, else at every cache whose
 * user group holds the user. A user that no cache admits is `disabled`: nothing can depend on its
 * password. A cache found through the control plane that cannot be reached from here makes the outcome
 * `skipped` (testSecret then fails unless the login test is off).
 */
import type { User } from '@aws-sdk/client-elasticache';
import { EngineUnavailableError, type LoginResult, type StepContext } from '@rotor/core/engine';
import type { ControlPlane } from './control-plane.js';
import type { ElastiCacheSecret } from './elasticache-secret.js';
import { redisLogin } from './redis-login.js';
import {
  type CacheEndpoint,
  type ConfiguredCache,
  cachesHoldingUser,
  chooseLoginRoute,
  configuredCachesHoldingUser,
} from './trusted-endpoints.js';
import type { UserRef } from './user-ids.js';

export interface LoginTesterOptions {
  controlPlane: ControlPlane;
  /** The endpoint from the function's configuration (ROTOR_CACHE_HOST), if any. */
  configured: CacheEndpoint | undefined;
  /**
   * The caches the function's configuration names (ROTOR_CACHE_ARNS). When given, the caches that admit a user
   * are found among these (one call per cache), not through its user groups (decision 0094).
   */
  configuredCaches: readonly ConfiguredCache[] | undefined;
  rejectUnauthorized: boolean;
  /** PEM certificates that verify the caches, instead of the system's (tests, private CAs). */
  ca: string | undefined;
  connectTimeoutMs: number;
}

export interface LoginTestInput {
  secret: ElastiCacheSecret;
  ref: UserRef;
  /** The user as the control plane describes it, already checked to be the secret's. */
  user: User;
  password: string;
}

export interface LoginTester {
  /** Logs in with `password` at the trusted endpoints. */
  login(input: LoginTestInput, context: StepContext): Promise<LoginResult>;
  /** Refuses a secret whose `host`/`port` is not a trusted endpoint for its user (before anything is written). */
  checkSecretEndpoint(input: Omit<LoginTestInput, 'password'>, context: StepContext): Promise<void>;
  /** Forgets the caches found for every user (after this function changed a user group). */
  forgetCaches(): void;
}

/**
 * How long the caches found for a user (user groups -> replication groups / serverless caches) are reused
 * by this container: one rotation's steps, usually minutes apart, ask once (decision 0090). The endpoints
 * still come only from the control plane; an association changed meanwhile is seen at the next look.
 */
export const CACHE_DISCOVERY_TTL_MS = 5 * 60_000;

const secretTurnsTlsOff = (tls: unknown) => tls === false || tls === 'false';

export function createLoginTester(options: LoginTesterOptions, now: () => number = Date.now): LoginTester {
  const discovered = new Map<string, { at: number; endpoints: CacheEndpoint[] }>();
  const cachesFor = async (ref: UserRef, user: User, context: StepContext): Promise<CacheEndpoint[]> => {
    const key = `${ref.region}|${ref.userId}|${[...(user.UserGroupIds ?? [])].sort().join(',')}`;
    const known = discovered.get(key);
    if (known && now() - known.at < CACHE_DISCOVERY_TTL_MS) return known.endpoints;
    const endpoints = options.configuredCaches
      ? await configuredCachesHoldingUser(options.controlPlane, options.configuredCaches, user, context)
      : await cachesHoldingUser(options.controlPlane, ref, user, context.step);
    discovered.set(key, { at: now(), endpoints });
    if (discovered.size > 256) discovered.delete(discovered.keys().next().value as string);
    return endpoints;
  };

  /** Warnings already given in this invocation (one context per invocation), so each is logged once. */
  const warned = new WeakMap<StepContext, Set<string>>();
  const warnOnce = (context: StepContext, message: string) => {
    const seen = warned.get(context) ?? new Set<string>();
    warned.set(context, seen);
    if (seen.has(message)) return;
    seen.add(message);
    context.logger.warn(message);
  };

  const attempt = (endpoint: CacheEndpoint, input: LoginTestInput, context: StepContext) =>
    redisLogin({
      endpoint: {
        host: endpoint.host,
        port: endpoint.port,
        tls: endpoint.tls,
        rejectUnauthorized: options.rejectUnauthorized,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      },
      username: input.secret.username,
      password: input.password,
      connectTimeoutMs: options.connectTimeoutMs,
      signal: context.signal,
      step: context.step,
    });

  const routeFor = (secret: ElastiCacheSecret, caches: readonly CacheEndpoint[], context: StepContext) =>
    chooseLoginRoute({
      secretHost: secret.host,
      secretPort: secret.port === undefined ? undefined : Number(secret.port),
      configured: options.configured,
      caches,
      username: secret.username,
      step: context.step,
    });

  const checkSecretEndpoint: LoginTester['checkSecretEndpoint'] = async ({ secret, ref, user }, context) => {
    if (secret.host === undefined) return;
    routeFor(secret, await cachesFor(ref, user, context), context);
  };

  const login: LoginTester['login'] = async (input, context) => {
    const { secret, ref, user } = input;
    const caches = await cachesFor(ref, user, context);
    if (caches.length === 0 && options.configuredCaches && (user.UserGroupIds ?? []).length > 0) {
      // Its groups may hold it on a cache the configuration does not name: unknown, so not proven.
      return {
        status: 'skipped',
        reason: `none of the configured caches (ROTOR_CACHE_ARNS) is associated with a user group of "${secret.username}" (${(user.UserGroupIds ?? []).join(', ')}); add its caches to ROTOR_CACHE_ARNS (CacheArns)`,
      };
    }
    if (caches.length === 0) {
      return {
        status: 'disabled',
        reason: `user "${secret.username}" is in no user group associated with a cache, so it can log in nowhere`,
      };
    }
    if (secretTurnsTlsOff(secret.tls)) {
      warnOnce(
        context,
        `The secret's "tls": false is ignored: TLS to the cache comes from the function's configuration or the control plane, never from the secret`,
      );
    }
    const route = routeFor(secret, caches, context);
    if (route.kind === 'chosen') return attempt(route.endpoint, input, context);

    for (const endpoint of route.endpoints) {
      if (!endpoint.tls) {
        warnOnce(
          context,
          `TLS downgrade: ${endpoint.name} has in-transit encryption off, so the login test sends the password without TLS`,
        );
      }
    }
    const results = await Promise.all(
      route.endpoints.map(async (endpoint) => {
        try {
          return { endpoint, outcome: await attempt(endpoint, input, context) };
        } catch (error) {
          // Out of time is a timeout, not a missing route.
          if (context.signal.aborted || !(error instanceof EngineUnavailableError)) throw error;
          return { endpoint, unreachable: error.message };
        }
      }),
    );
    for (const result of results) {
      if (result.outcome?.status === 'rejected') {
        return { status: 'rejected', reason: `${result.endpoint.name}: ${result.outcome.reason}` };
      }
    }
    const unreachable = results.filter((result) => result.unreachable !== undefined);
    if (unreachable.length > 0) {
      return {
        status: 'skipped',
        reason: `cannot reach ${unreachable.map((result) => result.endpoint.name).join(', ')} from here (${unreachable
          .map((result) => result.unreachable)
          .join(
            '; ',
          )}); give the function a network route to the cache (its VPC), or set ROTOR_CACHE_HOST to a cache it can reach`,
      };
    }
    return { status: 'accepted' };
  };

  return { login, checkSecretEndpoint, forgetCaches: () => discovered.clear() };
}
