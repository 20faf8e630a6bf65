/**
 * Emulated Amazon Redshift control plane (awsQuery, API version 2012-12-01): DescribeClusters, answering
 * for the clusters the Data API maps to PostgreSQL, with the endpoint that reaches that server. It is what
 * a rotation function asks to learn where a cluster really is (never trusting a secret's `host`).
 */

import { invalidValue, optionalInteger, optionalString } from '../elasticache/query-input.js';
import { element, wrap } from '../elasticache/xml.js';
import { AwsApiError, type QueryProtocolService, type ServiceContext } from '../service.js';
import type { LocalCluster, RedshiftInventory } from './inventory.js';

export const REDSHIFT_XML_NAMESPACE = 'http://redshift.amazonaws.com/doc/2012-12-01/';

/** DescribeClusters' MaxRecords: "Constraints: minimum 20, maximum 100" (API reference). */
const MIN_RECORDS = 20;
const MAX_RECORDS = 100;

function clusterNotFound(identifier: string): AwsApiError {
  // ClusterNotFoundFault: awsQuery code ClusterNotFound, HTTP 404 (the service model).
  return new AwsApiError('ClusterNotFound', `Cluster ${identifier} not found.`, 404);
}

function clusterXml(cluster: LocalCluster, createdAt: Date, context: ServiceContext): string {
  return wrap(
    'Cluster',
    element('ClusterIdentifier', cluster.identifier) +
      element('NodeType', 'ra3.xlplus') +
      element('ClusterStatus', 'available') +
      element('ClusterAvailabilityStatus', 'Available') +
      element('MasterUsername', cluster.adminUser) +
      element('DBName', 'dev') +
      wrap(
        'Endpoint',
        element('Address', cluster.host) + element('Port', cluster.port) + wrap('VpcEndpoints', ''),
      ) +
      element('ClusterCreateTime', createdAt.toISOString()) +
      element('NumberOfNodes', 1) +
      element('PubliclyAccessible', false) +
      element('Encrypted', true) +
      element(
        'ClusterNamespaceArn',
        `arn:aws:redshift:${context.region}:${context.accountId}:namespace:${cluster.namespaceId}`,
      ) +
      wrap('Tags', ''),
  );
}

/** The tag filters match no cluster: the local clusters carry no tags. */
function hasTagFilter(params: URLSearchParams): boolean {
  return [...params.keys()].some((key) => key.startsWith('TagKeys') || key.startsWith('TagValues'));
}

export function createRedshiftService(inventory: RedshiftInventory): QueryProtocolService {
  const describeClusters = (params: URLSearchParams, context: ServiceContext): string => {
    const size = optionalInteger(params, 'MaxRecords') ?? MAX_RECORDS;
    if (size < MIN_RECORDS || size > MAX_RECORDS) {
      throw invalidValue(`MaxRecords must be between ${MIN_RECORDS} and ${MAX_RECORDS}.`);
    }
    const identifier = optionalString(params, 'ClusterIdentifier');
    let clusters: LocalCluster[];
    if (identifier !== undefined) {
      const cluster = inventory.cluster(identifier);
      if (!cluster) throw clusterNotFound(identifier);
      clusters = [cluster];
    } else {
      clusters = inventory.clusters();
    }
    if (hasTagFilter(params)) clusters = [];
    const marker = optionalString(params, 'Marker');
    const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidValue('Invalid Marker.');
    const page = clusters.slice(start, start + size);
    const next =
      start + size < clusters.length ? Buffer.from(String(start + size)).toString('base64url') : '';
    return (
      wrap('Clusters', page.map((cluster) => clusterXml(cluster, inventory.createdAt, context)).join('')) +
      element('Marker', next || undefined)
    );
  };

  return {
    protocol: 'awsQuery',
    serviceName: 'redshift',
    xmlNamespace: REDSHIFT_XML_NAMESPACE,
    async handle(action, params, context) {
      if (action === 'DescribeClusters') return describeClusters(params, context);
      throw new AwsApiError(
        'InvalidAction',
        `The action ${action} is not supported by the local Redshift endpoint (only DescribeClusters).`,
      );
    },
  };
}
