import { AwsApiError } from '../service.js';
import type { PostgresTarget } from './statement-runner.js';

/** A PostgreSQL server standing in for a cluster or workgroup: an admin (superuser) URL, or its parts. */
export type PostgresTargetConfig =
  | string
  | { readonly url: string }
  | {
      readonly host: string;
      readonly port: number;
      readonly adminUser: string;
      readonly adminPassword: string;
    };

export function resolveTarget(config: PostgresTargetConfig): PostgresTarget {
  if (typeof config === 'object' && 'host' in config) return config;
  const url = new URL(typeof config === 'string' ? config : config.url);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TypeError(`Redshift Data target must be a postgres:// URL, got ${url.protocol}`);
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    adminUser: decodeURIComponent(url.username),
    adminPassword: decodeURIComponent(url.password),
  };
}

export type TargetResolver = (
  clusterIdentifier: string | undefined,
  workgroupName: string | undefined,
) => PostgresTarget;

/** The server a cluster or workgroup runs on: its own, else the default, else ResourceNotFoundException. */
export function createTargetResolver(options: {
  clusters?: Readonly<Record<string, PostgresTargetConfig>> | undefined;
  workgroups?: Readonly<Record<string, PostgresTargetConfig>> | undefined;
  defaultTarget?: PostgresTargetConfig | undefined;
}): TargetResolver {
  const clusters = new Map(
    Object.entries(options.clusters ?? {}).map(([id, config]) => [id, resolveTarget(config)]),
  );
  const workgroups = new Map(
    Object.entries(options.workgroups ?? {}).map(([name, config]) => [name, resolveTarget(config)]),
  );
  const defaultTarget =
    options.defaultTarget !== undefined ? resolveTarget(options.defaultTarget) : undefined;
  return (clusterIdentifier, workgroupName) => {
    if (clusterIdentifier !== undefined) {
      const target = clusters.get(clusterIdentifier) ?? defaultTarget;
      if (!target) {
        throw new AwsApiError('ResourceNotFoundException', `Cluster ${clusterIdentifier} not found.`, 404);
      }
      return target;
    }
    const target = workgroups.get(workgroupName ?? '') ?? defaultTarget;
    if (!target)
      throw new AwsApiError('ResourceNotFoundException', `Workgroup ${workgroupName} not found.`, 404);
    return target;
  };
}
