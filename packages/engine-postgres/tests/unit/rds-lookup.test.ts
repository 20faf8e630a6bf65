/**
 * Where an RDS-managed master secret's database is (rds-lookup.ts), against RDS mocked at the SDK client
 * (aws-sdk-client-mock): the conformance kit's admins name their host, so only these tests reach this code
 * (decision 0130). Every refusal is a specific error with the right retryability and step, naming the
 * database and never guessing an endpoint.
 */
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { postgresEngine } from '@rotor/engine-postgres';
import { stepContext, TEST_FUNCTION_SCOPE } from '@rotor/testkit';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createRdsLookup, type ManagedDatabase } from '../../src/rds-lookup.ts';
import { fakeServer } from './support/fake-server.ts';

const rds = mockClient(RDSClient);
afterEach(() => rds.reset());

const INSTANCE: ManagedDatabase = { kind: 'instance', arn: 'arn:aws:rds:eu-west-3:123456789012:db:orders' };
const CLUSTER: ManagedDatabase = {
  kind: 'cluster',
  arn: 'arn:aws:rds:eu-west-3:123456789012:cluster:orders',
};
const context = { step: 'setSecret' } as const;

const lookup = () => createRdsLookup({ region: 'eu-west-3' });
const refusal = (database: ManagedDatabase) =>
  lookup()
    .endpointOf(database, context)
    .then(
      () => {
        throw new Error('the lookup succeeded');
      },
      (error: unknown) =>
        error as Error & { code: string; retryable: boolean; step?: string; cause?: unknown },
    );

describe('an instance', () => {
  it("is found with DescribeDBInstances on its ARN, in the configured region: RDS's endpoint and engine", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          Endpoint: { Address: 'orders.rds.internal', Port: 5433 },
          Engine: 'postgres',
          DBInstanceStatus: 'available',
        },
      ],
    });
    await expect(lookup().endpointOf(INSTANCE, context)).resolves.toEqual({
      host: 'orders.rds.internal',
      port: 5433,
      engine: 'postgres',
    });
    expect(rds.calls()).toHaveLength(1);
    expect(rds.call(0).args[0].input).toEqual({ DBInstanceIdentifier: INSTANCE.arn });
    expect(await (rds.call(0).thisValue as RDSClient).config.region()).toBe('eu-west-3');
  });

  it('reports an engine RDS does not name as unknown (which the engine then refuses)', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ Endpoint: { Address: 'h', Port: 5432 } }] });
    await expect(lookup().endpointOf(INSTANCE, context)).resolves.toEqual({
      host: 'h',
      port: 5432,
      engine: 'unknown',
    });
  });

  it.each([
    ['no instance at all', {}, 'unknown'],
    ['an instance still being created', { DBInstances: [{ DBInstanceStatus: 'creating' }] }, 'creating'],
    [
      'an address without a port',
      { DBInstances: [{ Endpoint: { Address: 'h' }, DBInstanceStatus: 'modifying' }] },
      'modifying',
    ],
    ['a port without an address', { DBInstances: [{ Endpoint: { Port: 5432 } }] }, 'unknown'],
  ] as Array<[string, Partial<DescribeDBInstancesCommandOutput>, string]>)(
    'without an endpoint (%s): retryable unavailability, naming the status',
    async (_name, output, status) => {
      rds.on(DescribeDBInstancesCommand).resolves(output);
      const error = await refusal(INSTANCE);
      expect(error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true, step: 'setSecret' });
      expect(error.message).toBe(`The DB instance ${INSTANCE.arn} has no endpoint yet (status ${status})`);
    },
  );
});

describe('a cluster', () => {
  it("is found with DescribeDBClusters on its ARN: the writer endpoint, its port and RDS's engine", async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { Endpoint: 'orders.cluster.internal', Port: 5434, Engine: 'aurora-postgresql', Status: 'available' },
      ],
    });
    await expect(lookup().endpointOf(CLUSTER, context)).resolves.toEqual({
      host: 'orders.cluster.internal',
      port: 5434,
      engine: 'aurora-postgresql',
    });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toEqual([]);
    expect(rds.commandCalls(DescribeDBClustersCommand).map((call) => call.args[0].input)).toEqual([
      { DBClusterIdentifier: CLUSTER.arn },
    ]);
  });

  it('without an endpoint: retryable unavailability, naming the cluster and its status', async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Port: 5432, Status: 'backing-up' }] });
    const error = await refusal(CLUSTER);
    expect(error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true, step: 'setSecret' });
    expect(error.message).toBe(`The DB cluster ${CLUSTER.arn} has no endpoint yet (status backing-up)`);
  });

  it.each([[{}], [{ DBClusters: [] }]])('answering %j: no endpoint, status unknown', async (output) => {
    rds.on(DescribeDBClustersCommand).resolves(output);
    expect(await refusal(CLUSTER)).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: `The DB cluster ${CLUSTER.arn} has no endpoint yet (status unknown)`,
    });
  });

  it('without a port: the same', async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Endpoint: 'h' }] });
    expect((await refusal(CLUSTER)).message).toBe(
      `The DB cluster ${CLUSTER.arn} has no endpoint yet (status unknown)`,
    );
  });
});

describe('when RDS refuses', () => {
  const fault = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    [INSTANCE, 'DBInstanceNotFoundFault', 'INVALID_SECRET', false],
    [CLUSTER, 'DBClusterNotFoundFault', 'INVALID_SECRET', false],
    [INSTANCE, 'AccessDenied', 'PERMISSION_DENIED', false],
    [CLUSTER, 'ExpiredTokenException', 'PERMISSION_DENIED', false],
    [INSTANCE, 'ThrottlingException', 'ENGINE_UNAVAILABLE', true],
    [CLUSTER, 'InternalFailure', 'ENGINE_UNAVAILABLE', true],
  ] as const)(
    '%j answering %s is %s (retryable: %s), naming what was looked up',
    async (database, name, code, retryable) => {
      const cause = fault(name, 'the service says why');
      rds
        .on(database.kind === 'instance' ? DescribeDBInstancesCommand : DescribeDBClustersCommand)
        .rejects(cause);
      const error = await refusal(database);
      expect(error).toMatchObject({ code, retryable, step: 'setSecret', cause });
      expect(error.message).toBe(
        `Could not look up the DB ${database.kind} ${database.arn}: ${name}: the service says why`,
      );
    },
  );

  it('says nothing after the name when the service gave no message', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(fault('ThrottlingException', ''));
    expect((await refusal(INSTANCE)).message).toBe(
      `Could not look up the DB instance ${INSTANCE.arn}: ThrottlingException:`,
    );
  });
});

describe('the RDS client', () => {
  it('is the one given when there is one, and made once per lookup otherwise', async () => {
    const given = { send: async () => ({ DBInstances: [{ Endpoint: { Address: 'given', Port: 5432 } }] }) };
    await expect(
      createRdsLookup({ client: given as never }).endpointOf(INSTANCE, context),
    ).resolves.toMatchObject({
      host: 'given',
    });
    expect(rds.calls()).toEqual([]);

    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ Endpoint: { Address: 'h', Port: 5432 } }] });
    const made = lookup();
    await made.endpointOf(INSTANCE, context);
    await made.endpointOf(INSTANCE, context);
    expect(rds.call(0).thisValue).toBe(rds.call(1).thisValue);
  });
});

describe("the engine's RDS lookup", () => {
  it('is made once per engine, in the configured region, and reused by every step', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ Endpoint: { Address: 'db.internal', Port: 5432 }, Engine: 'postgres' }],
    });
    const server = fakeServer({
      logins: { admin: 'Admin-Password-1' },
      roles: { app: { oid: 1, rolinherit: true, rolcreatedb: false, rolconnlimit: -1 } },
    });
    const engine = postgresEngine({
      allowedHosts: ['db.internal'],
      clientFactory: server.factory,
      rds: { region: 'eu-west-3' },
    });
    const arn = `arn:aws:rds:us-east-1:${TEST_FUNCTION_SCOPE.accountId}:db:orders`;
    for (let run = 0; run < 2; run += 1) {
      await engine.setPasswords(
        {
          user: { host: 'db.internal', username: 'app', password: 'New-Password-1' },
          passwords: ['New-Password-1'],
          principal: {
            kind: 'admin',
            admin: {
              secretId: 'arn:managed',
              value: { username: 'admin', password: 'Admin-Password-1' },
              readTags: async () => ({ 'aws:rds:primaryDBInstanceArn': arn }),
            },
          },
        },
        stepContext(),
      );
    }
    expect(rds.calls()).toHaveLength(2);
    expect(rds.call(0).thisValue).toBe(rds.call(1).thisValue);
    expect(await (rds.call(0).thisValue as RDSClient).config.region()).toBe('eu-west-3');
  });
});
