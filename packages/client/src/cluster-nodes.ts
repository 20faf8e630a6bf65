import { InvalidConfigurationError } from '@rotor/core/errors';

/** A cluster's startup (root) node. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/**
 * Checks the startup nodes a cluster helper was given (at construction: a cluster without nodes would
 * otherwise fail only at the first command). `helper` names the function in the error.
 */
export function validateClusterNodes(nodes: unknown, helper: string): ClusterNodeAddress[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new InvalidConfigurationError(
      `${helper} needs at least one startup node ({ host, port }), e.g. the configuration endpoint`,
    );
  }
  return nodes.map((node: unknown, index) => {
    const { host, port } = (node ?? {}) as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host.length === 0) {
      throw new InvalidConfigurationError(`${helper}: nodes[${index}] has no host`);
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new InvalidConfigurationError(`${helper}: nodes[${index}] has no valid port`);
    }
    return { host, port };
  });
}
