import { randomBytes } from 'node:crypto';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import type { ConformanceHarness, ManagedAdmin, OtherServer } from '@rotor/testkit';
import { mockClient } from 'aws-sdk-client-mock';
import pg from 'pg';
import type { PostgresSecret } from '../../../src/index.ts';
import { type PostgresTarget, psqlCanLogin } from './postgres-target.ts';
import { closedPort, type SharedServers, sharedHandle } from './shared-servers.ts';

/** NAMEDATALEN - 1. */
const MAX_ROLE_NAME_BYTES = 63;
/** The database only the second admin may connect to (pg_hba.conf keeps it out of every other). */
const ADMIN_DATABASE = 'rotor_admin_db';

/** A target with the kit's hostile harness, and every endpoint the engine must be allowed to reach. */
export interface HarnessedPostgresTarget extends PostgresTarget {
  harness: ConformanceHarness<PostgresSecret>;
  allowedHosts: string[];
  /** The RDS the engine asks where an RDS-managed master secret's database is. */
  rds: RDSClient;
}

/** The RDS resources of the kit's function scope (aws, us-east-1, 123456789012). */
const RDS_ARN = 'arn:aws:rds:us-east-1:123456789012';

/**
 * RDS for the kit's managed admin secrets: the DB instance and cluster `conf-main` are the target, `conf-other`
 * the second cluster; anything else is not found. Every request is counted, answered or not.
 */
function rdsFor(
  main: Pick<PostgresServerHandle, 'host' | 'port'>,
  second: Pick<PostgresServerHandle, 'host' | 'port'>,
  adminValue: { username: string; password: string },
): { client: RDSClient; managedAdmin: ManagedAdmin } {
  const client = new RDSClient({ region: 'us-east-1' });
  const rds = mockClient(client);
  const notFound = (name: string) => Object.assign(new Error(`${name}: not found`), { name });
  rds.on(DescribeDBInstancesCommand).rejects(notFound('DBInstanceNotFoundFault'));
  rds.on(DescribeDBClustersCommand).rejects(notFound('DBClusterNotFoundFault'));
  for (const [name, at] of [
    ['conf-main', main],
    ['conf-other', second],
  ] as const) {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: `${RDS_ARN}:db:${name}` }).resolves({
      DBInstances: [
        { Endpoint: { Address: at.host, Port: at.port }, Engine: 'postgres', DBInstanceStatus: 'available' },
      ],
    });
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: `${RDS_ARN}:cluster:${name}` }).resolves({
      DBClusters: [{ Endpoint: at.host, Port: at.port, Engine: 'aurora-postgresql', Status: 'available' }],
    });
  }
  const value = { username: adminValue.username, password: adminValue.password };
  return {
    client,
    managedAdmin: {
      secrets: [
        {
          name: 'an RDS-managed master secret of a DB instance',
          value,
          tags: {
            'aws:rds:primaryDBInstanceArn': `${RDS_ARN}:db:conf-main`,
            'aws:secretsmanager:owningService': 'rds',
          },
          otherResourceTags: {
            'aws:rds:primaryDBInstanceArn': `${RDS_ARN}:db:conf-other`,
            'aws:secretsmanager:owningService': 'rds',
          },
        },
        {
          name: 'an RDS-managed master secret of a DB cluster',
          value,
          tags: {
            'aws:rds:primaryDBClusterArn': `${RDS_ARN}:cluster:conf-main`,
            'aws:secretsmanager:owningService': 'rds',
          },
          otherResourceTags: {
            'aws:rds:primaryDBClusterArn': `${RDS_ARN}:cluster:conf-other`,
            'aws:secretsmanager:owningService': 'rds',
          },
        },
      ],
      controlPlaneCalls: () => rds.calls().length,
    },
  };
}

/** Another cluster as the kit sees it: users made by its superuser, logins checked with psql. */
async function otherServer(
  server: PostgresServerHandle,
  extraSecretFields: Record<string, unknown>,
): Promise<{ other: OtherServer<PostgresSecret>; close(): Promise<void> }> {
  const superuser = new pg.Client({ connectionString: server.connectionString() });
  await superuser.connect();
  const location = { engine: 'postgres', host: server.host, port: server.port, dbname: 'postgres' };
  return {
    other: {
      secretFor: (username, password) => ({
        ...location,
        ...extraSecretFields,
        username,
        ...(password === undefined ? {} : { password }),
      }),
      async createUser(username, password) {
        await superuser.query(
          `CREATE ROLE ${superuser.escapeIdentifier(username)} LOGIN PASSWORD ${superuser.escapeLiteral(password)}`,
        );
      },
      canLogin: (username, password) => psqlCanLogin(server, username, password),
      admin: { value: { ...location, username: server.user, password: server.password } },
    },
    close: () => superuser.end().catch(() => {}),
  };
}

/**
 * A second admin that pg_hba.conf lets into `rotor_admin_db` only: an engine that connects it to the user's
 * database instead of the one its secret names is turned away.
 */
async function adminInOtherDatabase(target: PostgresTarget): Promise<Record<string, unknown>> {
  const username = 'rotor_admin_elsewhere';
  const password = randomBytes(18).toString('base64url');
  // A server shared between runs (pnpm mutation) has the database and the rules already: only the password changes.
  const { rows: databases } = await target.sql('SELECT 1 FROM pg_database WHERE datname = $1', [
    ADMIN_DATABASE,
  ]);
  if (databases.length > 0) {
    await target.sql(`ALTER ROLE ${username} PASSWORD '${password}'`);
    return {
      engine: 'postgres',
      host: target.server.host,
      port: target.server.port,
      dbname: ADMIN_DATABASE,
      username,
      password,
    };
  }
  await target.sql(`CREATE DATABASE ${ADMIN_DATABASE}`);
  await target.sql(`CREATE ROLE ${username} LOGIN SUPERUSER PASSWORD '${password}'`);
  const { rows } = await target.sql('SHOW hba_file');
  const hbaFile = String(rows[0]!.hba_file);
  const current = String((await target.sql('SELECT pg_read_file($1) AS text', [hbaFile])).rows[0]!.text);
  const lines = [
    `local all ${username} reject`,
    `host ${ADMIN_DATABASE} ${username} all scram-sha-256`,
    `host all ${username} all reject`,
    ...current.replaceAll('\t', ' ').split('\n'),
  ];
  // COPY writes one line per row; the rules hold no tabs or backslashes that it would escape.
  const array = `ARRAY[${lines.map((line) => pg.escapeLiteral(line)).join(', ')}]::text[]`;
  await target.sql(`COPY (SELECT unnest(${array})) TO ${pg.escapeLiteral(hbaFile)}`);
  await target.sql('SELECT pg_reload_conf()');
  // The reload is asynchronous: wait until the rules are in force.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { rows: errors } = await target.sql(
      'SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE error IS NOT NULL',
    );
    if (Number(errors[0]!.n) > 0) throw new Error('the pg_hba.conf written for the second admin has errors');
    const refused = await new pg.Client({
      host: target.server.host,
      port: target.server.port,
      database: 'postgres',
      user: username,
      password,
    })
      .connect()
      .then(
        () => false,
        () => true,
      );
    if (refused) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    engine: 'postgres',
    host: target.server.host,
    port: target.server.port,
    dbname: ADMIN_DATABASE,
    username,
    password,
  };
}

/**
 * Adds what only this test setup can arrange for the kit's hostile checks: an endpoint that is down, a role
 * made busy (CONNECTION LIMIT 0: SQLSTATE 53300), a second cluster, an admin confined to another database, a
 * TLS cluster whose certificate Node's roots do not trust, and a clone that fails after its first statement.
 */
export async function withPostgresHarness(
  target: PostgresTarget,
  shared?: SharedServers,
): Promise<HarnessedPostgresTarget> {
  const [secondServer, tlsServer, downPort] = shared
    ? [sharedHandle(shared.second), sharedHandle(shared.tls), shared.downPort]
    : await Promise.all([
        startPostgresServer({ authMethod: 'scram-sha-256' }),
        startPostgresServer({ authMethod: 'scram-sha-256', tls: true }),
        closedPort(),
      ]);
  const second = await otherServer(secondServer, {});
  // `ssl: true` asks for verified TLS (AWS's RDS secrets say it so): the engine must check the certificate.
  const untrusted = await otherServer(tlsServer, { ssl: true });
  const adminElsewhere = await adminInOtherDatabase(target);
  const rds = rdsFor(target.server, secondServer, {
    username: target.server.user,
    password: target.server.password,
  });
  const quote = pg.escapeIdentifier;
  return {
    ...target,
    rds: rds.client,
    allowedHosts: [
      `${target.server.host}:${target.server.port}`,
      `${secondServer.host}:${secondServer.port}`,
      `${tlsServer.host}:${tlsServer.port}`,
      `127.0.0.1:${downPort}`,
    ],
    harness: {
      maxUsernameBytes: MAX_ROLE_NAME_BYTES,
      adminDefaultsToUsersServer: true,
      downEndpoint: { host: '127.0.0.1', port: downPort },
      async makeBusy(username) {
        await target.sql(`ALTER ROLE ${quote(username)} CONNECTION LIMIT 0`);
        return async () => {
          await target.sql(`ALTER ROLE ${quote(username)} CONNECTION LIMIT -1`);
        };
      },
      otherServer: second.other,
      adminInOtherDatabase: adminElsewhere,
      untrustedTlsServer: untrusted.other,
      async breakClone(source, cloneUsername) {
        // The clone exists as a group of its source: updating it works, then granting it to itself fails.
        await target.sql(`CREATE ROLE ${quote(cloneUsername)} NOLOGIN`);
        await target.sql(`GRANT ${quote(cloneUsername)} TO ${quote(source)}`);
      },
      managedAdmin: rds.managedAdmin,
    },
    async stop() {
      await Promise.all([second.close(), untrusted.close()]);
      await Promise.all([secondServer.stop(), tlsServer.stop(), target.stop()]);
    },
  };
}
