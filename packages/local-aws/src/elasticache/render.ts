/**
 * XML bodies for ElastiCache results, shaped as the SDK's awsQuery deserializer reads them
 * (@aws-sdk/client-elasticache schemas: User$, UserGroup$, ReplicationGroup$, ServerlessCache$; list members
 * are `<member>` except where the schema names them, e.g. `<ReplicationGroup>`, `<NodeGroup>`, `<ClusterId>`).
 */
import type { ElastiCacheCache, ElastiCacheUser, ElastiCacheUserGroup } from './model.js';
import { element, stringList, wrap } from './xml.js';

export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

export function userArn(scope: ArnScope, userId: string): string {
  return `arn:aws:elasticache:${scope.region}:${scope.accountId}:user:${userId}`;
}

export function userGroupArn(scope: ArnScope, userGroupId: string): string {
  return `arn:aws:elasticache:${scope.region}:${scope.accountId}:usergroup:${userGroupId}`;
}

export function replicationGroupArn(scope: ArnScope, replicationGroupId: string): string {
  return `arn:aws:elasticache:${scope.region}:${scope.accountId}:replicationgroup:${replicationGroupId}`;
}

/** The fields of a User, in schema order. */
export function userFields(
  user: ElastiCacheUser,
  userGroupIds: readonly string[],
  scope: ArnScope,
  status = user.status,
): string {
  return [
    element('UserId', user.userId),
    element('UserName', user.userName),
    element('Status', status),
    element('Engine', user.engine),
    element('MinimumEngineVersion', '6.0'),
    element('AccessString', user.accessString),
    stringList('UserGroupIds', userGroupIds),
    wrap(
      'Authentication',
      element('Type', user.authentication.type) +
        element('PasswordCount', user.authentication.passwordHashes.length),
    ),
    element('ARN', userArn(scope, user.userId)),
  ].join('');
}

/** The fields of a UserGroup, in schema order. */
export function userGroupFields(
  group: ElastiCacheUserGroup,
  caches: { replicationGroups: readonly string[]; serverlessCaches: readonly string[] },
  scope: ArnScope,
  status = group.status,
): string {
  const pending = group.pendingChanges;
  return [
    element('UserGroupId', group.userGroupId),
    element('Status', status),
    element('Engine', group.engine),
    stringList('UserIds', group.userIds),
    element('MinimumEngineVersion', '6.0'),
    pending
      ? wrap(
          'PendingChanges',
          stringList('UserIdsToRemove', pending.userIdsToRemove) +
            stringList('UserIdsToAdd', pending.userIdsToAdd),
        )
      : '',
    stringList('ReplicationGroups', caches.replicationGroups),
    stringList('ServerlessCaches', caches.serverlessCaches),
    element('ARN', userGroupArn(scope, group.userGroupId)),
  ].join('');
}

function endpointFields(cache: ElastiCacheCache): string {
  return element('Address', cache.endpoint.host) + element('Port', cache.endpoint.port);
}

/**
 * A cluster-mode-disabled replication group with one node group whose primary is the backing Redis
 * (ReplicationGroup in the SDK's schema; list members named as the schema names them).
 */
export function replicationGroupFields(cache: ElastiCacheCache, scope: ArnScope): string {
  const endpoint = endpointFields(cache);
  const pending = cache.pendingUserGroups;
  return [
    element('ReplicationGroupId', cache.id),
    element('Description', 'Local Redis behind the Rotor local AWS endpoint'),
    element('Status', cache.status),
    wrap(
      'PendingModifiedValues',
      pending
        ? wrap(
            'UserGroups',
            stringList('UserGroupIdsToAdd', pending.toAdd) +
              stringList('UserGroupIdsToRemove', pending.toRemove),
          )
        : '',
    ),
    wrap('MemberClusters', element('ClusterId', `${cache.id}-001`)),
    wrap(
      'NodeGroups',
      wrap(
        'NodeGroup',
        element('NodeGroupId', '0001') +
          element('Status', 'available') +
          wrap('PrimaryEndpoint', endpoint) +
          wrap('ReaderEndpoint', endpoint),
      ),
    ),
    element('AutomaticFailover', 'disabled'),
    element('MultiAZ', 'disabled'),
    element('ClusterEnabled', false),
    element('CacheNodeType', 'cache.t4g.micro'),
    element('AuthTokenEnabled', false),
    element('TransitEncryptionEnabled', cache.transitEncryption),
    element('AtRestEncryptionEnabled', false),
    element('ARN', replicationGroupArn(scope, cache.id)),
    stringList('UserGroupIds', cache.userGroupId ? [cache.userGroupId] : []),
    element('ReplicationGroupCreateTime', cache.createdAt.toISOString()),
    cache.transitEncryption ? element('TransitEncryptionMode', 'required') : '',
    element('ClusterMode', 'disabled'),
    element('Engine', cache.engine),
  ].join('');
}

export function serverlessCacheArn(scope: ArnScope, name: string): string {
  return `arn:aws:elasticache:${scope.region}:${scope.accountId}:serverlesscache:${name}`;
}

/** A serverless cache whose endpoint (and reader endpoint) is the backing Redis (ServerlessCache schema). */
export function serverlessCacheFields(cache: ElastiCacheCache, scope: ArnScope): string {
  const endpoint = endpointFields(cache);
  return [
    element('ServerlessCacheName', cache.id),
    element('Description', 'Local Redis behind the Rotor local AWS endpoint'),
    element('CreateTime', cache.createdAt.toISOString()),
    element('Status', cache.status),
    element('Engine', cache.engine),
    element('MajorEngineVersion', '7'),
    element('FullEngineVersion', '7.1'),
    wrap('Endpoint', endpoint),
    wrap('ReaderEndpoint', endpoint),
    element('ARN', serverlessCacheArn(scope, cache.id)),
    element('UserGroupId', cache.userGroupId),
  ].join('');
}
