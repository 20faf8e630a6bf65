/**
 * The provisioned clusters and Serverless workgroups the local endpoint knows: the same names the Redshift
 * Data API maps to PostgreSQL servers, so DescribeClusters / GetWorkgroup report endpoints that reach the
 * server the statements run on.
 */
import { createHash } from 'node:crypto';
import { type PostgresTargetConfig, resolveTarget } from '../redshift-data/targets.js';

export interface RedshiftInventoryOptions {
  /** ClusterIdentifier -> PostgreSQL (as for the Data API). */
  readonly clusters?: Readonly<Record<string, PostgresTargetConfig>>;
  /** WorkgroupName -> PostgreSQL. Each workgroup gets a namespace of the same name. */
  readonly workgroups?: Readonly<Record<string, PostgresTargetConfig>>;
  /** Any cluster or workgroup not listed exists here too (the CLI's --postgres-url), as for the Data API. */
  readonly defaultTarget?: PostgresTargetConfig;
}

export interface LocalEndpoint {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
}

export interface LocalCluster extends LocalEndpoint {
  readonly identifier: string;
  readonly namespaceId: string;
}

export interface LocalWorkgroup extends LocalEndpoint {
  readonly name: string;
  readonly id: string;
  readonly namespaceName: string;
  readonly namespaceId: string;
}

export interface RedshiftInventory {
  readonly createdAt: Date;
  cluster(identifier: string): LocalCluster | undefined;
  /** The configured clusters, sorted by identifier (the default target is not listed). */
  clusters(): LocalCluster[];
  workgroup(name: string): LocalWorkgroup | undefined;
  namespace(name: string): LocalWorkgroup | undefined;
}

/** A stable UUID-shaped id per name, so ARNs stay the same across restarts. */
function stableId(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}:${name}`, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function endpointOf(config: PostgresTargetConfig): LocalEndpoint {
  const { host, port, adminUser } = resolveTarget(config);
  return { host, port, adminUser };
}

export function createRedshiftInventory(options: RedshiftInventoryOptions): RedshiftInventory {
  const createdAt = new Date();
  const fallback = options.defaultTarget === undefined ? undefined : endpointOf(options.defaultTarget);
  const clusterConfigs = new Map(
    Object.entries(options.clusters ?? {}).map(([id, config]) => [id, endpointOf(config)]),
  );
  const workgroupConfigs = new Map(
    Object.entries(options.workgroups ?? {}).map(([name, config]) => [name, endpointOf(config)]),
  );
  const cluster = (identifier: string): LocalCluster | undefined => {
    const endpoint = clusterConfigs.get(identifier) ?? fallback;
    return endpoint && { ...endpoint, identifier, namespaceId: stableId('cluster-namespace', identifier) };
  };
  const workgroup = (name: string): LocalWorkgroup | undefined => {
    const endpoint = workgroupConfigs.get(name) ?? fallback;
    return (
      endpoint && {
        ...endpoint,
        name,
        id: stableId('workgroup', name),
        namespaceName: name,
        namespaceId: stableId('namespace', name),
      }
    );
  };
  return {
    createdAt,
    cluster,
    clusters: () => [...clusterConfigs.keys()].sort().flatMap((identifier) => cluster(identifier) ?? []),
    workgroup,
    // One namespace per workgroup, named after it.
    namespace: workgroup,
  };
}
