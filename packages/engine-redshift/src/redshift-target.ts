/**
 * Which cluster or Serverless workgroup a secret is about: the function's configuration first, then the
 * secret's `dbClusterIdentifier` / `workgroupName`, then the first label of an AWS endpoint host. Every
 * name is checked before it reaches an AWS call, and an ARN in the secret must lie in the function's scope.
 */
import {
  assertArnInScope,
  type FunctionScope,
  InvalidSecretError,
  type RotationStep,
} from '@rotor/core/engine';

export type RedshiftTarget = { clusterIdentifier: string } | { workgroupName: string };

/** Where the target came from: a mismatch or a missing resource is then the configuration's or the secret's fault. */
export type TargetSource = 'configuration' | 'secret';

export interface ResolvedTarget {
  target: RedshiftTarget;
  source: TargetSource;
}

/** Cluster identifiers: 1-63 of a-z, 0-9, hyphen; a letter first; no two hyphens in a row, none last. */
const CLUSTER_IDENTIFIER = /^[a-z](?:-?[a-z0-9])*$/;
/** Workgroup names: 3-64 of a-z, 0-9, hyphen. */
const WORKGROUP_NAME = /^[a-z0-9-]{3,64}$/;

export function describeTarget(target: RedshiftTarget): string {
  return 'clusterIdentifier' in target
    ? `cluster ${target.clusterIdentifier}`
    : `workgroup ${target.workgroupName}`;
}

export function sameTarget(a: RedshiftTarget, b: RedshiftTarget): boolean {
  return describeTarget(a) === describeTarget(b);
}

/** A cluster identifier as the secret gives it: the name, or (checked against the scope) a cluster ARN. */
function clusterFromSecret(value: string, scope: FunctionScope | undefined, step: RotationStep): string {
  let identifier = value;
  if (value.startsWith('arn:')) {
    const arn = assertArnInScope(value, scope, {
      label: 'The secret\'s "dbClusterIdentifier"',
      service: 'redshift',
      step,
    });
    if (!arn.resource.startsWith('cluster:')) {
      throw new InvalidSecretError('The secret\'s "dbClusterIdentifier" is an ARN but not a cluster\'s', {
        step,
      });
    }
    identifier = arn.resource.slice('cluster:'.length);
  }
  if (identifier.length > 63 || !CLUSTER_IDENTIFIER.test(identifier)) {
    throw new InvalidSecretError('The secret\'s "dbClusterIdentifier" is not a Redshift cluster identifier', {
      step,
    });
  }
  return identifier;
}

function workgroupFromSecret(value: string, scope: FunctionScope | undefined, step: RotationStep): string {
  if (value.startsWith('arn:')) {
    assertArnInScope(value, scope, {
      label: 'The secret\'s "workgroupName"',
      service: 'redshift-serverless',
      step,
    });
    // Workgroup ARNs carry the workgroup's id, which GetWorkgroup does not take.
    throw new InvalidSecretError('The secret\'s "workgroupName" must be the workgroup\'s name, not its ARN', {
      step,
    });
  }
  if (!WORKGROUP_NAME.test(value)) {
    throw new InvalidSecretError(
      'The secret\'s "workgroupName" is not a Redshift Serverless workgroup name',
      { step },
    );
  }
  return value;
}

/** The target a secret names itself (fields or host), or undefined. */
function targetInSecret(
  secret: { host: string; dbClusterIdentifier?: unknown; workgroupName?: unknown },
  scope: FunctionScope | undefined,
  step: RotationStep,
): RedshiftTarget | undefined {
  const cluster = typeof secret.dbClusterIdentifier === 'string' && secret.dbClusterIdentifier;
  const workgroup = typeof secret.workgroupName === 'string' && secret.workgroupName;
  if (cluster && workgroup) {
    throw new InvalidSecretError('The secret names both a cluster and a Serverless workgroup', { step });
  }
  if (cluster) return { clusterIdentifier: clusterFromSecret(cluster, scope, step) };
  if (workgroup) return { workgroupName: workgroupFromSecret(workgroup, scope, step) };
  const [label, ...rest] = secret.host.toLowerCase().replace(/\.$/, '').split('.');
  const domain = `.${rest.join('.')}`;
  if (label && /\.redshift-serverless\.amazonaws\.com(\.cn)?$/.test(domain) && WORKGROUP_NAME.test(label)) {
    return { workgroupName: label };
  }
  if (label && /\.redshift\.amazonaws\.com(\.cn)?$/.test(domain) && CLUSTER_IDENTIFIER.test(label)) {
    return { clusterIdentifier: label };
  }
  return undefined;
}

/**
 * The cluster or workgroup to act on. A configured one wins, and a secret naming another is refused: the
 * function rotates what its configuration says, never what a writer of the secret points it at.
 */
export function resolveTarget(
  configured: RedshiftTarget | undefined,
  secret: { host: string; dbClusterIdentifier?: unknown; workgroupName?: unknown },
  scope: FunctionScope | undefined,
  step: RotationStep,
): ResolvedTarget | undefined {
  const named = targetInSecret(secret, scope, step);
  if (configured) {
    if (named && !sameTarget(named, configured)) {
      throw new InvalidSecretError(
        `The secret names ${describeTarget(named)}, but this function rotates ${describeTarget(configured)}`,
        { step },
      );
    }
    return { target: configured, source: 'configuration' };
  }
  return named && { target: named, source: 'secret' };
}
