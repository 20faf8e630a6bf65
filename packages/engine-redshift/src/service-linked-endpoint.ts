/**
 * Host and port of a Redshift-managed admin secret. Such secrets (ManageMasterPassword) hold only a user
 * name and password; their tag names the cluster (`aws:redshift:primaryclusterarn`) or the Serverless
 * namespace (`aws:redshift-serverless:namespacearn`). The endpoint comes from the Redshift APIs, never from
 * the rotated secret, so admin credentials only go where AWS says that cluster or workgroup is.
 *
 * Unlike AWS's function this pages through every namespace and workgroup, and among a namespace's
 * workgroups picks the one the rotated user is on (AWS takes the first match).
 *
 * Loaded with a dynamic import by the engine, so bundles keep these clients out of the cold-start path.
 */
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  ListNamespacesCommand,
  ListWorkgroupsCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import {
  type AdminSecret,
  EngineUnavailableError,
  InvalidSecretError,
  PermissionDeniedError,
  type RotationError,
  type StepContext,
} from '@rotor/core/engine';
import { safeServerMessage } from './error-mapping.js';

export const CLUSTER_TAG = 'aws:redshift:primaryclusterarn';
export const NAMESPACE_TAG = 'aws:redshift-serverless:namespacearn';

export interface ServiceLinkedEndpointClients {
  redshift?: Pick<RedshiftClient, 'send'>;
  serverless?: Pick<RedshiftServerlessClient, 'send'>;
}

export type Endpoint = { host: string; port: number };

export async function lookUpServiceLinkedEndpoint(
  admin: AdminSecret,
  user: { host: string },
  context: Pick<StepContext, 'step'>,
  clients: ServiceLinkedEndpointClients = {},
): Promise<Endpoint | undefined> {
  const clusterArn = admin.tags[CLUSTER_TAG];
  const namespaceArn = admin.tags[NAMESPACE_TAG];
  for (const arn of [clusterArn, namespaceArn]) {
    if (arn !== undefined && arn.length > 256) {
      throw new InvalidSecretError(
        `The admin secret ${admin.secretId} has a tag value longer than an ARN can be`,
        {
          step: context.step,
        },
      );
    }
  }
  if (clusterArn) {
    const clusterIdentifier = clusterArn.slice(clusterArn.lastIndexOf(':') + 1);
    const redshift = clients.redshift ?? new RedshiftClient({});
    const output = await call(
      () => redshift.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier })),
      `look up cluster ${clusterIdentifier}`,
      context,
    );
    const endpoint = output.Clusters?.[0]?.Endpoint;
    return endpoint?.Address ? { host: endpoint.Address, port: endpoint.Port ?? 5439 } : undefined;
  }
  if (namespaceArn) {
    const serverless = clients.serverless ?? new RedshiftServerlessClient({});
    let namespaceName: string | undefined;
    let nextToken: string | undefined;
    do {
      const page = await call(
        () =>
          serverless.send(
            new ListNamespacesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
          ),
        'list Redshift Serverless namespaces',
        context,
      );
      namespaceName = page.namespaces?.find(
        (namespace) => namespace.namespaceArn === namespaceArn,
      )?.namespaceName;
      nextToken = page.nextToken;
    } while (!namespaceName && nextToken);
    if (!namespaceName) return undefined;
    const candidates: Endpoint[] = [];
    nextToken = undefined;
    do {
      const page = await call(
        () =>
          serverless.send(
            new ListWorkgroupsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
          ),
        'list Redshift Serverless workgroups',
        context,
      );
      for (const workgroup of page.workgroups ?? []) {
        if (workgroup.namespaceName !== namespaceName || !workgroup.endpoint?.address) continue;
        const port = workgroup.endpoint.port ?? 5439;
        candidates.push({ host: workgroup.endpoint.address, port });
        for (const vpcEndpoint of workgroup.endpoint.vpcEndpoints ?? []) {
          const address = vpcEndpoint.networkInterfaces?.[0]?.privateIpAddress;
          if (address) candidates.push({ host: address, port });
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return (
      candidates.find((candidate) => candidate.host.toLowerCase() === user.host.toLowerCase()) ??
      candidates[0]
    );
  }
  return undefined;
}

async function call<T>(
  send: () => Promise<T>,
  action: string,
  context: Pick<StepContext, 'step'>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw mapLookupError(error, action, context);
  }
}

function mapLookupError(error: unknown, action: string, context: Pick<StepContext, 'step'>): RotationError {
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  const message = `Could not ${action} for the Redshift-managed admin secret: ${name}: ${safeServerMessage((error as Error | null)?.message)}`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return new PermissionDeniedError(message, { step: context.step, cause: error });
  }
  if (name === 'ClusterNotFoundFault' || name === 'ResourceNotFoundException') {
    return new InvalidSecretError(message, { step: context.step, cause: error });
  }
  return new EngineUnavailableError(message, { step: context.step, cause: error });
}
