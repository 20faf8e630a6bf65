/**
 * The Redshift and Redshift Serverless control planes through the real SDK clients: DescribeClusters,
 * GetWorkgroup and GetNamespace answer for the clusters and workgroups the Data API maps to PostgreSQL, with
 * endpoints that reach that server, and refuse what AWS refuses.
 */
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from '../support/clients.ts';
import { reachesServer } from '../support/postgres-reach.ts';

let server: PostgresServerHandle;
let aws: LocalAws;
let redshift: RedshiftClient;
let serverless: RedshiftServerlessClient;

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'md5' });
  aws = await startLocalAws({
    redshiftData: {
      clusters: { analytics: server.connectionString(), 'second-cluster': server.connectionString() },
      workgroups: { reporting: server.connectionString() },
    },
  });
  const config = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials, maxAttempts: 1 };
  redshift = new RedshiftClient(config);
  serverless = new RedshiftServerlessClient(config);
});

afterAll(async () => {
  redshift?.destroy();
  serverless?.destroy();
  await aws?.stop();
  await server?.stop();
});

const reaches = (endpoint: { host: string | undefined; port: number | undefined }) =>
  reachesServer(server, endpoint);

describe('Redshift DescribeClusters', () => {
  it("reports a configured cluster's endpoint, which reaches its PostgreSQL", async () => {
    const output = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'analytics' }));
    expect(output.Clusters).toHaveLength(1);
    const cluster = output.Clusters![0]!;
    expect(cluster).toMatchObject({
      ClusterIdentifier: 'analytics',
      ClusterStatus: 'available',
      MasterUsername: server.user,
      Endpoint: { Address: server.host, Port: server.port, VpcEndpoints: [] },
    });
    expect(cluster.ClusterNamespaceArn).toMatch(
      /^arn:aws:redshift:us-east-1:123456789012:namespace:[0-9a-f-]{36}$/,
    );
    expect(cluster.ClusterCreateTime).toBeInstanceOf(Date);
    expect(await reaches({ host: cluster.Endpoint!.Address!, port: cluster.Endpoint!.Port! })).toBe(true);
    expect(aws.apiCalls().redshift?.DescribeClusters).toBeGreaterThan(0);
  });

  it('lists the configured clusters, sorted, when no identifier is given', async () => {
    const output = await redshift.send(new DescribeClustersCommand({}));
    expect(output.Clusters?.map((cluster) => cluster.ClusterIdentifier)).toEqual([
      'analytics',
      'second-cluster',
    ]);
    expect(output.Marker).toBeUndefined();
  });

  it('refuses an unknown cluster with ClusterNotFoundFault (HTTP 404)', async () => {
    expect(
      await sdkError(redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'elsewhere' }))),
    ).toMatchObject({ name: 'ClusterNotFoundFault', status: 404, message: 'Cluster elsewhere not found.' });
  });

  it('refuses MaxRecords outside 20-100, and matches no cluster by tag (local clusters have none)', async () => {
    expect(await sdkError(redshift.send(new DescribeClustersCommand({ MaxRecords: 5 })))).toMatchObject({
      name: 'InvalidParameterValue',
      status: 400,
    });
    const tagged = await redshift.send(new DescribeClustersCommand({ TagKeys: ['team'] }));
    expect(tagged.Clusters).toEqual([]);
  });
});

describe('Redshift Serverless GetWorkgroup and GetNamespace', () => {
  it("reports a configured workgroup's endpoint, which reaches its PostgreSQL, and its namespace", async () => {
    const { workgroup } = await serverless.send(new GetWorkgroupCommand({ workgroupName: 'reporting' }));
    expect(workgroup).toMatchObject({
      workgroupName: 'reporting',
      namespaceName: 'reporting',
      status: 'AVAILABLE',
      endpoint: { address: server.host, port: server.port, vpcEndpoints: [] },
    });
    expect(workgroup?.workgroupArn).toBe(
      `arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/${workgroup?.workgroupId}`,
    );
    expect(workgroup?.creationDate).toBeInstanceOf(Date);
    expect(await reaches({ host: workgroup!.endpoint!.address!, port: workgroup!.endpoint!.port! })).toBe(
      true,
    );
    const { namespace } = await serverless.send(
      new GetNamespaceCommand({ namespaceName: workgroup!.namespaceName! }),
    );
    expect(namespace).toMatchObject({ namespaceName: 'reporting', adminUsername: server.user });
    expect(namespace?.namespaceArn).toBe(
      `arn:aws:redshift-serverless:us-east-1:123456789012:namespace/${namespace?.namespaceId}`,
    );
    expect(aws.apiCalls()['redshift-serverless']).toMatchObject({ GetWorkgroup: 1, GetNamespace: 1 });
  });

  it('refuses unknown and malformed names as AWS does', async () => {
    expect(
      await sdkError(serverless.send(new GetWorkgroupCommand({ workgroupName: 'nowhere' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(
      await sdkError(serverless.send(new GetNamespaceCommand({ namespaceName: 'nowhere' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(
      await sdkError(serverless.send(new GetWorkgroupCommand({ workgroupName: 'Not_A_Name' }))),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
  });
});
