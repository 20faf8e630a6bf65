/**
 * @rotor/testkit's engine conformance suite against a real PostgreSQL (md5 authentication) standing in for
 * Redshift, over the pg transport with verified TLS.
 */
import { createServer } from 'node:net';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { type RedshiftSecret, redshiftEngine } from '@rotor/engine-redshift';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import {
  type ConformanceHarness,
  type ConformanceTarget,
  describeEngineConformance,
  type ManagedAdmin,
} from '@rotor/testkit';
import { mockClient } from 'aws-sdk-client-mock';
import pg from 'pg';
import { md5PasswordHash, quoteIdent } from '../../src/sql.ts';

async function asSuperuser<T>(
  server: PostgresServerHandle,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * The target, plus what the function's configuration holds: the hosts it allows, the CA it trusts, the control
 * plane it asks.
 */
type Target = ConformanceTarget<RedshiftSecret> & {
  allowedHosts: string[];
  ca: string;
  controlPlane: { redshift: RedshiftClient; serverless: RedshiftServerlessClient };
};

/** The cluster the function rotates users of (its configuration), in the kit's scope: the stand-in server. */
const CLUSTER = 'rsconf-main';
const CLUSTER_ARN = 'arn:aws:redshift:us-east-1:123456789012:cluster';

/**
 * The Redshift and Redshift Serverless APIs, counting every request: DescribeClusters answers for the stand-in
 * (cluster rsconf-main) and the second server (rsconf-other). With allowed hosts configured the engine should
 * ask neither about a cluster admin; the count shows it asked nothing about another account's cluster.
 */
function controlPlaneFor(
  main: PostgresServerHandle,
  second: PostgresServerHandle,
): { clients: Target['controlPlane']; managedAdmin: ManagedAdmin } {
  const redshift = new RedshiftClient({ region: 'us-east-1' });
  const serverless = new RedshiftServerlessClient({ region: 'us-east-1' });
  const redshiftMock = mockClient(redshift);
  const serverlessMock = mockClient(serverless);
  redshiftMock
    .on(DescribeClustersCommand)
    .rejects(Object.assign(new Error('ClusterNotFound'), { name: 'ClusterNotFoundFault' }));
  for (const [identifier, at] of [
    [CLUSTER, main],
    ['rsconf-other', second],
  ] as const) {
    redshiftMock.on(DescribeClustersCommand, { ClusterIdentifier: identifier }).resolves({
      Clusters: [
        {
          ClusterIdentifier: identifier,
          Endpoint: { Address: at.host, Port: at.port },
          ClusterStatus: 'available',
        },
      ],
    });
  }
  serverlessMock
    .onAnyCommand()
    .rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
  return {
    clients: { redshift, serverless },
    managedAdmin: {
      secrets: [
        {
          name: 'a Redshift-managed admin secret of a provisioned cluster',
          value: { username: main.user, password: main.password },
          tags: { 'aws:redshift:primaryclusterarn': `${CLUSTER_ARN}:${CLUSTER}` },
          otherResourceTags: { 'aws:redshift:primaryclusterarn': `${CLUSTER_ARN}:rsconf-other` },
        },
      ],
      controlPlaneCalls: () => redshiftMock.calls().length + serverlessMock.calls().length,
    },
  };
}

/** The stand-in's users as the kit sees them on `server`: made by its superuser, logins checked with pg. */
function standIn(server: PostgresServerHandle) {
  return {
    // Not parsed: the kit hands the engine hostile names and passwords its schema may refuse (as core would).
    secretFor(username: string, password?: string): RedshiftSecret {
      return {
        engine: 'redshift',
        host: server.host,
        port: server.port,
        username,
        ...(password === undefined ? {} : { password }),
        dbname: 'postgres',
      };
    },
    async createUser(username: string, password: string) {
      await asSuperuser(server, (client) =>
        client.query(`CREATE USER ${quoteIdent(username)} PASSWORD '${md5PasswordHash(password, username)}'`),
      );
    },
    async canLogin(username: string, password: string) {
      const client = new pg.Client({
        connectionString: server.connectionString({ user: username, password }),
      });
      try {
        await client.connect();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '28P01') return false;
        throw error;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    admin: {
      value: {
        engine: 'redshift',
        host: server.host,
        port: server.port,
        username: server.user,
        password: server.password,
      },
    },
  };
}

/** A loopback port where nothing listens (taken, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeEngineConformance<RedshiftSecret, Target>({
  name: 'redshift (PostgreSQL stand-in, pg transport)',
  usernamePrefix: 'rsconf',
  async startTarget() {
    // Over verified TLS, as Rotor's Redshift function connects by default; the stand-ins share the harness's
    // certificate, which the engine is configured to trust, except the untrusted one, which presents its own.
    const server = await startPostgresServer({ authMethod: 'md5', tls: true });
    await asSuperuser(server, async (client) => {
      await client.query('CREATE SCHEMA conf');
      await client.query('CREATE TABLE conf.facts (id int)');
      await client.query('CREATE TABLE conf.hidden (id int)');
      await client.query('CREATE GROUP conf_readers');
      await client.query('GRANT USAGE ON SCHEMA conf TO GROUP conf_readers');
      await client.query('GRANT SELECT ON conf.facts TO GROUP conf_readers');
    });
    const [second, untrusted, downPort] = await Promise.all([
      startPostgresServer({ authMethod: 'md5', tls: true }),
      startPostgresServer({ authMethod: 'md5', tls: true, ownCertificate: true }),
      closedPort(),
    ]);
    const ca = server.tls?.ca;
    if (!ca) throw new Error('the stand-in serves no TLS');
    const controlPlane = controlPlaneFor(server, second);
    const harness: ConformanceHarness<RedshiftSecret> = {
      // The stand-in's NAMEDATALEN - 1; Redshift itself allows 127 bytes.
      maxUsernameBytes: 63,
      downEndpoint: { host: '127.0.0.1', port: downPort },
      async makeBusy(username) {
        await asSuperuser(server, (client) =>
          client.query(`ALTER USER ${quoteIdent(username)} CONNECTION LIMIT 0`),
        );
        return () =>
          asSuperuser(server, async (client) => {
            await client.query(`ALTER USER ${quoteIdent(username)} CONNECTION LIMIT -1`);
          });
      },
      otherServer: standIn(second),
      // Allowed by the configuration, so only its certificate can stop the engine.
      untrustedTlsServer: standIn(untrusted),
      managedAdmin: controlPlane.managedAdmin,
      async breakClone(source, cloneUsername) {
        // The clone's name is taken by a group its source belongs to: updating "it" works, granting it to itself fails.
        await asSuperuser(server, async (client) => {
          await client.query(`CREATE GROUP ${quoteIdent(cloneUsername)}`);
          await client.query(`ALTER GROUP ${quoteIdent(cloneUsername)} ADD USER ${quoteIdent(source)}`);
        });
      },
    };
    return {
      ...standIn(server),
      /** The function's configuration names where it may connect (the secret's host must be one of them). */
      allowedHosts: [
        `${server.host}:${server.port}`,
        `${second.host}:${second.port}`,
        `${untrusted.host}:${untrusted.port}`,
        `127.0.0.1:${downPort}`,
      ],
      ca,
      controlPlane: controlPlane.clients,
      harness,
      async decorateCloneSource(username: string) {
        await asSuperuser(server, async (client) => {
          await client.query(`ALTER GROUP conf_readers ADD USER ${quoteIdent(username)}`);
          await client.query(`GRANT INSERT ON conf.facts TO ${quoteIdent(username)}`);
          await client.query(`ALTER USER ${quoteIdent(username)} SET search_path TO conf, public`);
          await client.query(`ALTER USER ${quoteIdent(username)} CONNECTION LIMIT 4`);
        });
      },
      async describeCloneable(username: string) {
        return asSuperuser(server, async (client) => {
          const result = await client.query(
            `SELECT r.rolconnlimit AS connlimit, r.rolconfig AS settings,
                    ARRAY(SELECT g.groname FROM pg_group g WHERE r.oid = ANY(g.grolist) ORDER BY 1) AS groups,
                    has_table_privilege(r.rolname, 'conf.facts', 'SELECT') AS facts_select,
                    has_table_privilege(r.rolname, 'conf.facts', 'INSERT') AS facts_insert,
                    has_table_privilege(r.rolname, 'conf.hidden', 'SELECT') AS hidden_select,
                    has_schema_privilege(r.rolname, 'conf', 'USAGE') AS schema_usage
               FROM pg_roles r WHERE r.rolname = $1`,
            [username],
          );
          return result.rows[0];
        });
      },
      stop: async () => {
        await Promise.all([server.stop(), second.stop(), untrusted.stop()]);
      },
    };
  },
  // The function rotates the users of one cluster (a Redshift-managed admin secret must be that cluster's).
  createEngine: (target) =>
    redshiftEngine({
      pg: { tls: 'verify-full', ca: target.ca, connectTimeoutMs: 3_000 },
      allowedHosts: target.allowedHosts,
      clusterIdentifier: CLUSTER,
      controlPlane: { ...target.controlPlane, region: 'us-east-1' },
    }),
  skip: {
    'wait-abort': 'Redshift applies ALTER USER synchronously (asyncChanges: false)',
    'rotation-dual-password': 'a Redshift user holds one password',
  },
  policySamples: 20,
});
