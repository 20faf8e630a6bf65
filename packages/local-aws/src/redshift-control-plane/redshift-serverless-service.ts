/**
 * Emulated Amazon Redshift Serverless control plane (awsJson1_1, `X-Amz-Target: RedshiftServerless.<Op>`):
 * GetWorkgroup and GetNamespace, answering for the workgroups the Data API maps to PostgreSQL. Each
 * workgroup's endpoint reaches that server; its namespace carries the workgroup's name.
 */
import { AwsApiError, type JsonProtocolService, type ServiceContext } from '../service.js';
import type { LocalWorkgroup, RedshiftInventory } from './inventory.js';

/** Workgroup and namespace names: 3-64 of a-z, 0-9 and hyphen (API reference, GetWorkgroup / GetNamespace). */
const NAME_PATTERN = /^[a-z0-9-]{3,64}$/;

function validationError(message: string): AwsApiError {
  return new AwsApiError('ValidationException', message);
}

function name(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw validationError(`${field} is required.`);
  if (!NAME_PATTERN.test(value)) {
    throw validationError(`${field} must be 3 to 64 characters of a-z, 0-9 and hyphen.`);
  }
  return value;
}

function notFound(kind: string, resourceName: string): AwsApiError {
  // ResourceNotFoundException carries HTTP 404 in the service model.
  return new AwsApiError('ResourceNotFoundException', `${kind} ${resourceName} not found.`, 404);
}

const arn = (context: ServiceContext, resource: string) =>
  `arn:aws:redshift-serverless:${context.region}:${context.accountId}:${resource}`;

function workgroupOutput(workgroup: LocalWorkgroup, createdAt: Date, context: ServiceContext) {
  return {
    workgroupId: workgroup.id,
    workgroupArn: arn(context, `workgroup/${workgroup.id}`),
    workgroupName: workgroup.name,
    namespaceName: workgroup.namespaceName,
    baseCapacity: 8,
    enhancedVpcRouting: false,
    publiclyAccessible: false,
    status: 'AVAILABLE',
    port: workgroup.port,
    endpoint: { address: workgroup.host, port: workgroup.port, vpcEndpoints: [] },
    creationDate: createdAt.toISOString(),
  };
}

function namespaceOutput(workgroup: LocalWorkgroup, createdAt: Date, context: ServiceContext) {
  return {
    namespaceId: workgroup.namespaceId,
    namespaceArn: arn(context, `namespace/${workgroup.namespaceId}`),
    namespaceName: workgroup.namespaceName,
    adminUsername: workgroup.adminUser,
    dbName: 'dev',
    status: 'AVAILABLE',
    creationDate: createdAt.toISOString(),
  };
}

export function createRedshiftServerlessService(inventory: RedshiftInventory): JsonProtocolService {
  return {
    protocol: 'awsJson1_1',
    serviceName: 'redshift-serverless',
    targetPrefix: 'RedshiftServerless',
    async handle(operation, input, context) {
      switch (operation) {
        case 'GetWorkgroup': {
          const workgroupName = name(input, 'workgroupName');
          const workgroup = inventory.workgroup(workgroupName);
          if (!workgroup) throw notFound('Workgroup', workgroupName);
          return { workgroup: workgroupOutput(workgroup, inventory.createdAt, context) };
        }
        case 'GetNamespace': {
          const namespaceName = name(input, 'namespaceName');
          const workgroup = inventory.namespace(namespaceName);
          if (!workgroup) throw notFound('Namespace', namespaceName);
          return { namespace: namespaceOutput(workgroup, inventory.createdAt, context) };
        }
        default:
          throw new AwsApiError(
            'UnknownOperationException',
            `The operation ${operation} is not supported by the local Redshift Serverless endpoint (only GetWorkgroup and GetNamespace).`,
          );
      }
    },
  };
}
