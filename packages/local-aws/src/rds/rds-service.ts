/**
 * Emulated Amazon RDS control plane (awsQuery, API version 2014-10-31): DescribeDBInstances and
 * DescribeDBClusters, answering for the DB instances and clusters configured here, each played by a
 * PostgreSQL server whose address is the reported endpoint. It is what a rotation function asks to learn
 * where the database of an RDS-managed master secret is (such a secret has no host).
 */
import {
  invalidValue,
  optionalBoolean,
  optionalInteger,
  optionalString,
} from '../elasticache/query-input.js';
import { element, wrap } from '../elasticache/xml.js';
import type { PostgresTargetConfig } from '../redshift-data/targets.js';
import { resolveTarget } from '../redshift-data/targets.js';
import { AwsApiError, type QueryProtocolService, type ServiceContext } from '../service.js';

export const RDS_XML_NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';

export interface RdsServiceOptions {
  /** DBInstanceIdentifier -> the PostgreSQL that plays it (engine `postgres`). */
  readonly instances?: Readonly<Record<string, PostgresTargetConfig>>;
  /** DBClusterIdentifier -> the PostgreSQL that plays its writer (engine `aurora-postgresql`). */
  readonly clusters?: Readonly<Record<string, PostgresTargetConfig>>;
}

/** DescribeDBInstances / DescribeDBClusters MaxRecords: "Default: 100. Constraints: Minimum 20, maximum 100." */
const MIN_RECORDS = 20;
const MAX_RECORDS = 100;

/**
 * RDS identifiers: "1 to 63 letters, numbers, or hyphens; first character must be a letter; can't end with a
 * hyphen or contain two consecutive hyphens" (CreateDBInstance / CreateDBCluster API reference). They are
 * not case-sensitive and stored in lower case.
 */
const IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-)){0,62}$/i;

interface LocalDatabase {
  readonly kind: 'instance' | 'cluster';
  readonly identifier: string;
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
}

function identifierProblem(field: string): AwsApiError {
  return invalidValue(
    `The parameter ${field} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
  );
}

function databases(kind: LocalDatabase['kind'], configs: RdsServiceOptions['instances']): LocalDatabase[] {
  return Object.entries(configs ?? {})
    .map(([identifier, config]) => {
      if (!IDENTIFIER.test(identifier) || identifier.endsWith('-')) {
        throw new TypeError(`RDS ${kind} identifier "${identifier}" is not a valid RDS identifier`);
      }
      const { host, port, adminUser } = resolveTarget(config);
      return { kind, identifier: identifier.toLowerCase(), host, port, adminUser };
    })
    .sort((a, b) => (a.identifier < b.identifier ? -1 : 1));
}

const arnOf = (database: LocalDatabase, context: ServiceContext) =>
  `arn:aws:rds:${context.region}:${context.accountId}:${database.kind === 'instance' ? 'db' : 'cluster'}:${database.identifier}`;

/**
 * The identifier a DBInstanceIdentifier / DBClusterIdentifier names: an identifier, or the resource's ARN
 * ("The user-supplied instance identifier or the Amazon Resource Name (ARN) of the DB instance"). An ARN of
 * another account, region or resource type names nothing here.
 */
function requestedIdentifier(
  value: string,
  field: string,
  kind: LocalDatabase['kind'],
  context: ServiceContext,
): string | undefined {
  if (value.startsWith('arn:')) {
    const prefix = `arn:aws:rds:${context.region}:${context.accountId}:${kind === 'instance' ? 'db' : 'cluster'}:`;
    if (!value.toLowerCase().startsWith(prefix)) return undefined;
    value = value.slice(prefix.length);
  }
  if (!IDENTIFIER.test(value) || value.endsWith('-')) throw identifierProblem(field);
  return value.toLowerCase();
}

interface Filter {
  name: string;
  values: string[];
}

/** `Filters.Filter.N.Name` and `Filters.Filter.N.Values.Value.M` (the model's xmlName traits). */
function filtersOf(params: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  for (let index = 1; params.has(`Filters.Filter.${index}.Name`); index += 1) {
    const values: string[] = [];
    for (let value = 1; params.has(`Filters.Filter.${index}.Values.Value.${value}`); value += 1) {
      values.push(params.get(`Filters.Filter.${index}.Values.Value.${value}`) ?? '');
    }
    filters.push({ name: params.get(`Filters.Filter.${index}.Name`) ?? '', values });
  }
  return filters;
}

function notFound(kind: LocalDatabase['kind'], identifier: string): AwsApiError {
  // The model's awsQuery error codes: DBInstanceNotFound and DBClusterNotFoundFault, both HTTP 404.
  return kind === 'instance'
    ? new AwsApiError('DBInstanceNotFound', `DBInstance ${identifier} not found.`, 404)
    : new AwsApiError('DBClusterNotFoundFault', `DBCluster ${identifier} not found.`, 404);
}

function instanceXml(database: LocalDatabase, createdAt: Date, context: ServiceContext): string {
  return wrap(
    'DBInstance',
    element('DBInstanceIdentifier', database.identifier) +
      element('DBInstanceClass', 'db.t4g.micro') +
      element('Engine', 'postgres') +
      element('DBInstanceStatus', 'available') +
      element('MasterUsername', database.adminUser) +
      element('DBName', 'postgres') +
      wrap('Endpoint', element('Address', database.host) + element('Port', database.port)) +
      element('InstanceCreateTime', createdAt.toISOString()) +
      element('MultiAZ', false) +
      element('EngineVersion', '16') +
      element('PubliclyAccessible', false) +
      element('StorageEncrypted', true) +
      element('DBInstanceArn', arnOf(database, context)) +
      wrap('TagList', ''),
  );
}

function clusterXml(database: LocalDatabase, createdAt: Date, context: ServiceContext): string {
  return wrap(
    'DBCluster',
    element('DBClusterIdentifier', database.identifier) +
      element('Status', 'available') +
      element('Endpoint', database.host) +
      element('Port', database.port) +
      element('Engine', 'aurora-postgresql') +
      element('EngineVersion', '16') +
      element('MasterUsername', database.adminUser) +
      element('DatabaseName', 'postgres') +
      element('ClusterCreateTime', createdAt.toISOString()) +
      element('MultiAZ', false) +
      element('StorageEncrypted', true) +
      element('DBClusterArn', arnOf(database, context)) +
      wrap('DBClusterMembers', '') +
      wrap('TagList', ''),
  );
}

export function createRdsService(options: RdsServiceOptions): QueryProtocolService {
  const createdAt = new Date();
  const all = {
    instance: databases('instance', options.instances),
    cluster: databases('cluster', options.clusters),
  };

  const describe = (kind: LocalDatabase['kind'], params: URLSearchParams, context: ServiceContext) => {
    const field = kind === 'instance' ? 'DBInstanceIdentifier' : 'DBClusterIdentifier';
    const size = optionalInteger(params, 'MaxRecords') ?? MAX_RECORDS;
    if (size < MIN_RECORDS || size > MAX_RECORDS) {
      throw invalidValue(`MaxRecords must be between ${MIN_RECORDS} and ${MAX_RECORDS}.`);
    }
    if (kind === 'cluster') optionalBoolean(params, 'IncludeShared');
    let found = all[kind];
    const requested = optionalString(params, field);
    if (requested !== undefined && requested !== '') {
      const identifier = requestedIdentifier(requested, field, kind, context);
      found = found.filter((database) => database.identifier === identifier);
      if (found.length === 0) throw notFound(kind, requested);
    }
    // The filters whose meaning holds here; others are refused, never silently ignored.
    const idFilter = kind === 'instance' ? 'db-instance-id' : 'db-cluster-id';
    for (const filter of filtersOf(params)) {
      if (filter.values.length === 0) throw invalidValue(`Filter ${filter.name} needs at least one value.`);
      if (filter.name === idFilter) {
        const wanted = new Set(
          filter.values.flatMap((value) => requestedIdentifier(value, filter.name, kind, context) ?? []),
        );
        found = found.filter((database) => wanted.has(database.identifier));
      } else if (filter.name === 'engine') {
        const engine = kind === 'instance' ? 'postgres' : 'aurora-postgresql';
        found = filter.values.includes(engine) ? found : [];
      } else if (kind === 'instance' && filter.name === 'db-cluster-id') {
        // Local instances belong to no cluster.
        found = [];
      } else {
        throw invalidValue(`Unrecognized filter name: ${filter.name}.`);
      }
    }
    const marker = optionalString(params, 'Marker');
    const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidValue('Invalid Marker.');
    const page = found.slice(start, start + size);
    const next = start + size < found.length ? Buffer.from(String(start + size)).toString('base64url') : '';
    const render = kind === 'instance' ? instanceXml : clusterXml;
    return (
      wrap(
        kind === 'instance' ? 'DBInstances' : 'DBClusters',
        page.map((database) => render(database, createdAt, context)).join(''),
      ) + element('Marker', next || undefined)
    );
  };

  return {
    protocol: 'awsQuery',
    serviceName: 'rds',
    xmlNamespace: RDS_XML_NAMESPACE,
    async handle(action, params, context) {
      if (action === 'DescribeDBInstances') return describe('instance', params, context);
      if (action === 'DescribeDBClusters') return describe('cluster', params, context);
      throw new AwsApiError(
        'InvalidAction',
        `The action ${action} is not supported by the local RDS endpoint (only DescribeDBInstances and DescribeDBClusters).`,
      );
    },
  };
}
