/**
 * XML bodies for ElastiCache results, shaped as the SDK's awsQuery deserializer reads them
 * (@aws-sdk/client-elasticache schemas: User$, UserGroup$, ReplicationGroup$; list members are `<member>`
 * except where the schema names them, e.g. `<ReplicationGroup>`, `<NodeGroup>`, `<ClusterId>`).
 */
import type { ElastiCacheUser, ElastiCacheUserGroup } from './model.js';
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
  replicationGroupIds: readonly string[],
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
    stringList('ReplicationGroups', replicationGroupIds),
    stringList('ServerlessCaches', []),
    element('ARN', userGroupArn(scope, group.userGroupId)),
  ].join('');
}

export interface ReplicationGroupView {
  readonly replicationGroupId: string;
  readonly engine: string;
  readonly host: string;
  readonly port: number;
  readonly userGroupIds: readonly string[];
}

/** A single-node, cluster-mode-disabled replication group whose primary is the backing Redis. */
export function replicationGroupFields(group: ReplicationGroupView, scope: ArnScope): string {
  const endpoint = element('Address', group.host) + element('Port', group.port);
  const clusterId = `${group.replicationGroupId}-001`;
  return [
    element('ReplicationGroupId', group.replicationGroupId),
    element('Description', 'Local Redis behind the Rotor local AWS endpoint'),
    element('Status', 'available'),
    wrap('MemberClusters', element('ClusterId', clusterId)),
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
    element('TransitEncryptionEnabled', false),
    element('AtRestEncryptionEnabled', false),
    element('ARN', replicationGroupArn(scope, group.replicationGroupId)),
    stringList('UserGroupIds', group.userGroupIds),
    element('Engine', group.engine),
  ].join('');
}

export function serverlessCacheArn(scope: ArnScope, name: string): string {
  return `arn:aws:elasticache:${scope.region}:${scope.accountId}:serverlesscache:${name}`;
}

/** A serverless cache whose endpoint (and reader endpoint) is the backing Redis. */
export function serverlessCacheFields(
  cache: { readonly name: string; readonly engine: string; readonly host: string; readonly port: number },
  scope: ArnScope,
): string {
  const endpoint = element('Address', cache.host) + element('Port', cache.port);
  return [
    element('ServerlessCacheName', cache.name),
    element('Description', 'Local Redis behind the Rotor local AWS endpoint'),
    element('Status', 'available'),
    element('Engine', cache.engine),
    element('MajorEngineVersion', '7'),
    wrap('Endpoint', endpoint),
    wrap('ReaderEndpoint', endpoint),
    element('ARN', serverlessCacheArn(scope, cache.name)),
  ].join('');
}
