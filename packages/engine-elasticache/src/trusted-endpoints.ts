/**
 * Where the engine may send a password: only to endpoints it learnt from a source it trusts, the
 * function's configuration (`dataPlane.host`, ROTOR_CACHE_HOST) or the control plane (the caches whose
 * user groups hold the user). A secret is data anyone with PutSecretValue can write, so its `host` and
 * `port` only select one of those endpoints, and its `tls` never decides anything (decision 0035).
 */
import type { ReplicationGroup, ServerlessCache, User } from '@aws-sdk/client-elasticache';
import {
  assertArnInScope,
  InvalidConfigurationError,
  InvalidSecretError,
  type RotationStep,
  type StepContext,
} from '@rotor/core/engine';
import type { ControlPlane } from './control-plane.js';
import type { UserRef } from './user-ids.js';

export interface CacheEndpoint {
  /** What it is, for messages: `replication group orders`, `serverless cache sessions`, `the configured cache`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** From the configuration, or the cache's TransitEncryptionEnabled (serverless caches always use TLS). */
  readonly tls: boolean;
}

export type LoginRoute =
  /** One endpoint the function was told to use, or the one the secret picked among the trusted ones. */
  | { readonly kind: 'chosen'; readonly endpoint: CacheEndpoint }
  /** Every cache whose user group holds the user, as the control plane reports them. */
  | { readonly kind: 'caches'; readonly endpoints: readonly CacheEndpoint[] };

const DEFAULT_REDIS_PORT = 6379;

function replicationGroupEndpoint(group: ReplicationGroup): CacheEndpoint | undefined {
  // Cluster mode enabled: the configuration endpoint; disabled: the primary endpoint of the node group.
  const address = group.ClusterEnabled ? group.ConfigurationEndpoint : group.NodeGroups?.[0]?.PrimaryEndpoint;
  if (!address?.Address) return undefined;
  return {
    name: `replication group ${String(group.ReplicationGroupId)}`,
    host: address.Address,
    port: address.Port ?? DEFAULT_REDIS_PORT,
    tls: group.TransitEncryptionEnabled === true,
  };
}

function serverlessCacheEndpoint(cache: ServerlessCache): CacheEndpoint | undefined {
  if (!cache.Endpoint?.Address) return undefined;
  return {
    name: `serverless cache ${String(cache.ServerlessCacheName)}`,
    host: cache.Endpoint.Address,
    port: cache.Endpoint.Port ?? DEFAULT_REDIS_PORT,
    // ElastiCache Serverless always encrypts in transit.
    tls: true,
  };
}

/**
 * The endpoints of the caches the user can log in to: for each user group that holds it, the
 * replication groups and serverless caches the group is associated with (ElastiCache's RBAC rule:
 * a user reaches a cache only through the user group associated with it).
 */
export async function cachesHoldingUser(
  controlPlane: ControlPlane,
  ref: UserRef,
  user: User,
  step: RotationStep | undefined,
): Promise<CacheEndpoint[]> {
  const endpoints = new Map<string, CacheEndpoint>();
  for (const groupId of user.UserGroupIds ?? []) {
    const group = await controlPlane.findUserGroup(ref, groupId, step);
    const members = (group?.UserIds ?? []).map((id) => id.toLowerCase());
    if (!group || !members.includes(ref.userId)) continue;
    for (const id of group.ReplicationGroups ?? []) {
      const found = await controlPlane.findReplicationGroup(ref, id, step);
      const endpoint = found && replicationGroupEndpoint(found);
      if (endpoint) endpoints.set(endpoint.name, endpoint);
    }
    for (const name of group.ServerlessCaches ?? []) {
      const found = await controlPlane.findServerlessCache(ref, name, step);
      const endpoint = found && serverlessCacheEndpoint(found);
      if (endpoint) endpoints.set(endpoint.name, endpoint);
    }
  }
  return [...endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A cache the function's configuration names (ROTOR_CACHE_ARNS: the template's CacheArns). */
export interface ConfiguredCache {
  readonly arn: string;
  readonly kind: 'replicationgroup' | 'serverlesscache';
  /** The replication group id or serverless cache name. */
  readonly id: string;
  readonly region: string;
}

const CACHE_ARN_PATTERN =
  /^arn:aws[a-z-]*:elasticache:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:(replicationgroup|serverlesscache):([A-Za-z][A-Za-z0-9-]*)$/;

/** An ElastiCache replication group or serverless cache ARN, or undefined. */
export function parseCacheArn(arn: string): ConfiguredCache | undefined {
  const match = CACHE_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const [, region, kind, id] = match as unknown as [string, string, ConfiguredCache['kind'], string];
  return { arn, kind, id, region };
}

/**
 * The endpoints of the configured caches that admit the user: those associated with one of its user groups
 * (a replication group's UserGroupIds, a serverless cache's UserGroupId). One Describe call per configured
 * cache and none for the user groups, since DescribeUsers already said which groups hold the user
 * (decision 0094). A user in no user group needs no call: no cache admits it.
 */
export async function configuredCachesHoldingUser(
  controlPlane: ControlPlane,
  caches: readonly ConfiguredCache[],
  user: User,
  context: Pick<StepContext, 'functionScope' | 'step'>,
): Promise<CacheEndpoint[]> {
  const groups = new Set((user.UserGroupIds ?? []).map((id) => id.toLowerCase()));
  if (groups.size === 0) return [];
  const endpoints: CacheEndpoint[] = [];
  for (const cache of caches) {
    // Configuration is trusted, but not to point the function's role at another account or region.
    try {
      assertArnInScope(cache.arn, context.functionScope, {
        label: `The configured cache ${cache.arn} (ROTOR_CACHE_ARNS)`,
        service: 'elasticache',
        step: context.step,
      });
    } catch (error) {
      if (!(error instanceof InvalidSecretError)) throw error;
      throw new InvalidConfigurationError(error.message, { step: context.step, cause: error });
    }
    if (cache.kind === 'replicationgroup') {
      const found = await controlPlane.findReplicationGroup(cache, cache.id, context.step);
      const admits = (found?.UserGroupIds ?? []).some((id) => groups.has(id.toLowerCase()));
      const endpoint = admits && found ? replicationGroupEndpoint(found) : undefined;
      if (endpoint) endpoints.push(endpoint);
    } else {
      const found = await controlPlane.findServerlessCache(cache, cache.id, context.step);
      const admits = found?.UserGroupId !== undefined && groups.has(found.UserGroupId.toLowerCase());
      const endpoint = admits && found ? serverlessCacheEndpoint(found) : undefined;
      if (endpoint) endpoints.push(endpoint);
    }
  }
  return endpoints.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const sameHost = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const describe = (endpoint: CacheEndpoint) => `${endpoint.name} at ${endpoint.host}:${endpoint.port}`;

/**
 * The route for a login: the endpoint the secret names when it is a trusted one, else the configured
 * endpoint, else every cache that holds the user. A secret naming any other address is refused before a
 * connection is opened, so no password can be steered to it.
 */
export function chooseLoginRoute(input: {
  secretHost: string | undefined;
  secretPort: number | undefined;
  configured: CacheEndpoint | undefined;
  caches: readonly CacheEndpoint[];
  username: string;
  step: RotationStep | undefined;
}): LoginRoute {
  const trusted = [...(input.configured ? [input.configured] : []), ...input.caches];
  if (input.secretHost !== undefined) {
    const host = input.secretHost;
    const match = trusted.find(
      (endpoint) =>
        sameHost(endpoint.host, host) &&
        (input.secretPort === undefined || input.secretPort === endpoint.port),
    );
    if (!match) {
      const named = `${host}${input.secretPort === undefined ? '' : `:${input.secretPort}`}`;
      throw new InvalidSecretError(
        `The secret's host ${named} is not an endpoint this function trusts for user "${input.username}" (${
          trusted.length > 0
            ? trusted.map(describe).join('; ')
            : 'none: no configured cache, and no cache holds the user'
        }); no password was sent. Remove "host"/"port" from the secret or set them to one of these.`,
        { step: input.step },
      );
    }
    return { kind: 'chosen', endpoint: match };
  }
  if (input.configured) return { kind: 'chosen', endpoint: input.configured };
  return { kind: 'caches', endpoints: input.caches };
}
