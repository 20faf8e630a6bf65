/**
 * Where the database of an RDS-managed master secret is, from the RDS API under the function's own IAM role:
 * such a secret holds only `username` and `password`, and its tag names the DB instance or cluster.
 * `DescribeDBInstances` gives an instance's endpoint, `DescribeDBClusters` a cluster's writer endpoint.
 *
 * Loaded with a dynamic import by the engine, so the RDS client stays off the cold-start path of functions
 * that never meet such a secret.
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  classifyAwsError,
  EngineUnavailableError,
  type HostPort,
  InvalidSecretError,
  PermissionDeniedError,
  type RotationError,
  type StepContext,
  throttlingRetryStrategy,
} from '@rotor/core/engine';

/** The DB instance or cluster a managed master secret's tag names (its ARN, already checked to be in scope). */
export interface ManagedDatabase {
  kind: 'instance' | 'cluster';
  arn: string;
}

export interface RdsDatabaseEndpoint extends HostPort {
  /** RDS's engine name: `postgres`, `aurora-postgresql`, ... */
  engine: string;
}

/** The part of the RDS client the lookups use (tests pass a client pointed at the local endpoint). */
export type RdsClientLike = Pick<RDSClient, 'send'>;

export interface RdsLookup {
  endpointOf(database: ManagedDatabase, context: Pick<StepContext, 'step'>): Promise<RdsDatabaseEndpoint>;
}

export function createRdsLookup(options: {
  client?: RdsClientLike | undefined;
  region?: string | undefined;
}): RdsLookup {
  let client = options.client;
  const rds = () => {
    // Throttled calls are retried with jittered backoff until the step's deadline (decision 0095).
    client ??= new RDSClient({
      retryStrategy: throttlingRetryStrategy(),
      ...(options.region ? { region: options.region } : {}),
    });
    return client;
  };
  return {
    async endpointOf(database, context) {
      const what = `the DB ${database.kind} ${database.arn}`;
      let found: {
        address?: string | undefined;
        port?: number | undefined;
        engine?: string;
        status?: string;
      };
      try {
        if (database.kind === 'instance') {
          const output = await rds().send(
            new DescribeDBInstancesCommand({ DBInstanceIdentifier: database.arn }),
          );
          const instance = output.DBInstances?.[0];
          found = {
            address: instance?.Endpoint?.Address,
            port: instance?.Endpoint?.Port,
            ...(instance?.Engine ? { engine: instance.Engine } : {}),
            ...(instance?.DBInstanceStatus ? { status: instance.DBInstanceStatus } : {}),
          };
        } else {
          const output = await rds().send(
            new DescribeDBClustersCommand({ DBClusterIdentifier: database.arn }),
          );
          const cluster = output.DBClusters?.[0];
          found = {
            address: cluster?.Endpoint,
            port: cluster?.Port,
            ...(cluster?.Engine ? { engine: cluster.Engine } : {}),
            ...(cluster?.Status ? { status: cluster.Status } : {}),
          };
        }
      } catch (error) {
        throw lookupError(error, what, context);
      }
      if (!found.address || !found.port) {
        throw new EngineUnavailableError(
          `${capitalize(what)} has no endpoint yet (status ${found.status ?? 'unknown'})`,
          {
            step: context.step,
          },
        );
      }
      return { host: found.address, port: found.port, engine: found.engine ?? 'unknown' };
    },
  };
}

function lookupError(error: unknown, what: string, context: Pick<StepContext, 'step'>): RotationError {
  const { name, kind, message: serviceMessage } = classifyAwsError(error);
  // RDS error messages name identifiers only; never anything secret.
  const message = `Could not look up ${what}: ${name}: ${serviceMessage}`.trim();
  const options = { step: context.step, cause: error };
  if (kind === 'access-denied' || kind === 'credentials') return new PermissionDeniedError(message, options);
  if (kind === 'not-found') {
    // The tag names no database here: whoever tagged the secret is wrong, retrying will not help.
    return new InvalidSecretError(message, options);
  }
  return new EngineUnavailableError(message, options);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
