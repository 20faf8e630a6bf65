/**
 * RDS DescribeDBInstances and DescribeDBClusters through the real `@aws-sdk/client-rds`: they answer for the
 * configured DB instances and clusters with endpoints that reach the PostgreSQL playing them, by identifier
 * or ARN, and refuse what AWS refuses (unknown identifiers, malformed ones, MaxRecords out of range, filters
 * the emulator does not know).
 */
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBInstances,
  RDSClient,
} from '@aws-sdk/client-rds';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from '../support/clients.ts';
import { reachesServer } from '../support/postgres-reach.ts';

let server: PostgresServerHandle;
let aws: LocalAws;
let rds: RDSClient;
const INSTANCES = Array.from({ length: 23 }, (_, index) => `orders-${String(index).padStart(2, '0')}`);

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'scram-sha-256' });
  aws = await startLocalAws({
    rds: {
      instances: Object.fromEntries(INSTANCES.map((id) => [id, server.connectionString()])),
      clusters: { 'Billing-Aurora': server.connectionString() },
    },
  });
  rds = new RDSClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  rds?.destroy();
  await aws?.stop();
  await server?.stop();
});

const reaches = (endpoint: { host: string | undefined; port: number | undefined }) =>
  reachesServer(server, endpoint);

describe('RDS DescribeDBInstances', () => {
  it('finds an instance by identifier or ARN, case-insensitively, with an endpoint that reaches its PostgreSQL', async () => {
    const arn = `arn:aws:rds:${aws.region}:${aws.accountId}:db:orders-07`;
    for (const DBInstanceIdentifier of ['orders-07', 'ORDERS-07', arn]) {
      const output = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }));
      expect(output.DBInstances).toHaveLength(1);
      expect(output.DBInstances?.[0]).toMatchObject({
        DBInstanceIdentifier: 'orders-07',
        DBInstanceArn: arn,
        Engine: 'postgres',
        DBInstanceStatus: 'available',
        MasterUsername: 'postgres',
        Endpoint: { Address: server.host, Port: server.port },
      });
    }
    const [instance] = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-07' })))
      .DBInstances!;
    expect(await reaches({ host: instance!.Endpoint?.Address, port: instance!.Endpoint?.Port })).toBe(true);
  });

  it('refuses an unknown instance, or an ARN of another account, with DBInstanceNotFound (404)', async () => {
    for (const DBInstanceIdentifier of [
      'missing-db',
      `arn:aws:rds:${aws.region}:210987654321:db:orders-07`,
    ]) {
      expect(
        await sdkError(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))),
      ).toMatchObject({
        name: 'DBInstanceNotFoundFault',
        status: 404,
        fault: 'client',
      });
    }
  });

  it('refuses a malformed identifier and MaxRecords outside 20-100 with InvalidParameterValue', async () => {
    for (const input of [
      { DBInstanceIdentifier: '1orders' },
      { DBInstanceIdentifier: 'orders--07' },
      { DBInstanceIdentifier: 'orders-' },
      { MaxRecords: 19 },
      { MaxRecords: 101 },
    ]) {
      expect(
        await sdkError(rds.send(new DescribeDBInstancesCommand(input))),
        JSON.stringify(input),
      ).toMatchObject({
        name: 'InvalidParameterValue',
        status: 400,
      });
    }
  });

  it('pages every instance with MaxRecords and Marker', async () => {
    const seen: string[] = [];
    for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 20 }, {})) {
      expect(page.DBInstances!.length).toBeLessThanOrEqual(20);
      seen.push(...page.DBInstances!.map((instance) => instance.DBInstanceIdentifier!));
    }
    expect(seen).toEqual(INSTANCES);
  });

  it('applies the db-instance-id and engine filters, and refuses a filter it does not know', async () => {
    const byId = await rds.send(
      new DescribeDBInstancesCommand({
        Filters: [{ Name: 'db-instance-id', Values: ['orders-01', 'orders-02'] }],
      }),
    );
    expect(byId.DBInstances?.map((instance) => instance.DBInstanceIdentifier)).toEqual([
      'orders-01',
      'orders-02',
    ]);
    const mysql = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'engine', Values: ['mysql'] }] }),
    );
    expect(mysql.DBInstances).toEqual([]);
    expect(
      await sdkError(
        rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('RDS DescribeDBClusters', () => {
  it('finds a cluster by identifier or ARN (stored in lower case), with its writer endpoint and engine', async () => {
    const arn = `arn:aws:rds:${aws.region}:${aws.accountId}:cluster:billing-aurora`;
    for (const DBClusterIdentifier of ['billing-aurora', arn]) {
      const output = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier }));
      expect(output.DBClusters?.[0]).toMatchObject({
        DBClusterIdentifier: 'billing-aurora',
        DBClusterArn: arn,
        Engine: 'aurora-postgresql',
        Status: 'available',
        Endpoint: server.host,
        Port: server.port,
        DBClusterMembers: [],
      });
    }
    const [cluster] = (await rds.send(new DescribeDBClustersCommand({}))).DBClusters!;
    expect(await reaches({ host: cluster!.Endpoint, port: cluster!.Port })).toBe(true);
  });

  it('refuses an unknown cluster with DBClusterNotFoundFault (404), and an instance ARN names no cluster', async () => {
    for (const DBClusterIdentifier of [
      'missing',
      `arn:aws:rds:${aws.region}:${aws.accountId}:db:orders-01`,
    ]) {
      expect(await sdkError(rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier })))).toMatchObject({
        name: 'DBClusterNotFoundFault',
        status: 404,
      });
    }
  });
});

describe('without rds options', () => {
  it('serves no RDS operation', async () => {
    const bare = await startLocalAws();
    const client = new RDSClient({
      endpoint: bare.endpoint,
      region: bare.region,
      credentials: bare.credentials,
      maxAttempts: 1,
    });
    try {
      const error = await sdkError(client.send(new DescribeDBInstancesCommand({})));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/No awsQuery service|not supported|rds/i);
    } finally {
      client.destroy();
      await bare.stop();
    }
  });
});
