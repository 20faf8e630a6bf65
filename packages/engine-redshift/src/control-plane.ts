/**
 * Where a cluster or Serverless workgroup really is, from the Redshift and Redshift Serverless APIs
 * (DescribeClusters, GetWorkgroup) under the function's own IAM role: its endpoint address and port and the
 * private addresses of its VPC endpoints. The engine connects only to one of these, so a secret's `host`
 * cannot redirect a password.
 *
 * Loaded with a dynamic import by the engine, so bundles keep these clients out of the cold-start path.
 */
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import {
  classifyAwsError,
  EngineUnavailableError,
  type HostPort,
  InvalidConfigurationError,
  InvalidSecretError,
  PermissionDeniedError,
  type RotationError,
  type StepContext,
  throttlingRetryStrategy,
} from '@rotor/core/engine';
import { safeServerMessage } from './error-mapping.js';
import { describeTarget, type ResolvedTarget } from './redshift-target.js';

export interface ControlPlaneClients {
  redshift?: Pick<RedshiftClient, 'send'>;
  serverless?: Pick<RedshiftServerlessClient, 'send'>;
}

export interface ControlPlane {
  /** The endpoints of the target: its address and the private addresses of its VPC endpoints. */
  endpoints(resolved: ResolvedTarget, context: Pick<StepContext, 'step'>): Promise<HostPort[]>;
  /** The ARN of a workgroup's namespace (GetWorkgroup, then GetNamespace). */
  namespaceArn(resolved: ResolvedTarget, context: Pick<StepContext, 'step'>): Promise<string | undefined>;
}

const DEFAULT_PORT = 5439;

interface VpcEndpointShape {
  NetworkInterfaces?: Array<{ PrivateIpAddress?: string | undefined }> | undefined;
  networkInterfaces?: Array<{ privateIpAddress?: string | undefined }> | undefined;
}

function collect(
  address: string | undefined,
  port: number | undefined,
  vpcEndpoints: readonly VpcEndpointShape[] | undefined,
): HostPort[] {
  if (!address) return [];
  const endpointPort = port ?? DEFAULT_PORT;
  const endpoints: HostPort[] = [{ host: address, port: endpointPort }];
  for (const vpcEndpoint of vpcEndpoints ?? []) {
    const interfaces = vpcEndpoint.NetworkInterfaces ?? [];
    const serverlessInterfaces = vpcEndpoint.networkInterfaces ?? [];
    for (const ip of [
      ...interfaces.map((i) => i.PrivateIpAddress),
      ...serverlessInterfaces.map((i) => i.privateIpAddress),
    ]) {
      if (ip) endpoints.push({ host: ip, port: endpointPort });
    }
  }
  return endpoints;
}

export function createControlPlane(clients: ControlPlaneClients, region: string | undefined): ControlPlane {
  let redshift = clients.redshift;
  let serverless = clients.serverless;
  // Throttled calls are retried with jittered backoff until the step's deadline (decision 0095).
  const config = { retryStrategy: throttlingRetryStrategy(), ...(region ? { region } : {}) };
  const redshiftClient = () => {
    redshift ??= new RedshiftClient(config);
    return redshift;
  };
  const serverlessClient = () => {
    serverless ??= new RedshiftServerlessClient(config);
    return serverless;
  };

  const workgroup = async (name: string, resolved: ResolvedTarget, context: Pick<StepContext, 'step'>) => {
    const output = await call(
      () => serverlessClient().send(new GetWorkgroupCommand({ workgroupName: name })),
      resolved,
      context,
    );
    return output.workgroup;
  };

  return {
    async endpoints(resolved, context) {
      const { target } = resolved;
      let endpoints: HostPort[];
      let status: string | undefined;
      if ('clusterIdentifier' in target) {
        const output = await call(
          () =>
            redshiftClient().send(
              new DescribeClustersCommand({ ClusterIdentifier: target.clusterIdentifier }),
            ),
          resolved,
          context,
        );
        const cluster = output.Clusters?.[0];
        status = cluster?.ClusterStatus;
        endpoints = collect(
          cluster?.Endpoint?.Address,
          cluster?.Endpoint?.Port,
          cluster?.Endpoint?.VpcEndpoints,
        );
      } else {
        const found = await workgroup(target.workgroupName, resolved, context);
        status = found?.status;
        endpoints = collect(found?.endpoint?.address, found?.endpoint?.port, found?.endpoint?.vpcEndpoints);
      }
      if (endpoints.length === 0) {
        throw new EngineUnavailableError(
          `${capitalize(describeTarget(target))} has no endpoint yet (status ${status ?? 'unknown'})`,
          { step: context.step },
        );
      }
      return endpoints;
    },

    async namespaceArn(resolved, context) {
      const { target } = resolved;
      if (!('workgroupName' in target)) return undefined;
      const namespaceName = (await workgroup(target.workgroupName, resolved, context))?.namespaceName;
      if (!namespaceName) return undefined;
      const output = await call(
        () => serverlessClient().send(new GetNamespaceCommand({ namespaceName })),
        resolved,
        context,
      );
      return output.namespace?.namespaceArn;
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function call<T>(
  send: () => Promise<T>,
  resolved: ResolvedTarget,
  context: Pick<StepContext, 'step'>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw mapLookupError(error, resolved, context);
  }
}

function mapLookupError(
  error: unknown,
  resolved: ResolvedTarget,
  context: Pick<StepContext, 'step'>,
): RotationError {
  const { name, kind, message: serviceMessage } = classifyAwsError(error);
  const what = describeTarget(resolved.target);
  const message = `Could not look up ${what}: ${name}: ${safeServerMessage(serviceMessage)}`;
  const options = { step: context.step, cause: error };
  if (kind === 'access-denied' || kind === 'credentials') return new PermissionDeniedError(message, options);
  if (kind === 'not-found') {
    // The function's account and region have no such cluster: whoever named it is wrong.
    return resolved.source === 'configuration'
      ? new InvalidConfigurationError(message, options)
      : new InvalidSecretError(message, options);
  }
  return new EngineUnavailableError(message, options);
}
