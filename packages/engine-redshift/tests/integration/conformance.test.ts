/**
 * @rotor/testkit's engine conformance suite against a real PostgreSQL (md5 authentication) standing in for
 * Redshift, over the pg transport.
 */

import { type RedshiftSecret, redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { type ConformanceTarget, describeEngineConformance } from '@rotor/testkit';
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

/** The target, plus the one host the function's configuration allows. */
type Target = ConformanceTarget<RedshiftSecret> & { allowedHost: string };

describeEngineConformance<RedshiftSecret, Target>({
  name: 'redshift (PostgreSQL stand-in, pg transport)',
  usernamePrefix: 'rsconf',
  async startTarget() {
    const server = await startPostgresServer({ authMethod: 'md5' });
    await asSuperuser(server, async (client) => {
      await client.query('CREATE SCHEMA conf');
      await client.query('CREATE TABLE conf.facts (id int)');
      await client.query('CREATE TABLE conf.hidden (id int)');
      await client.query('CREATE GROUP conf_readers');
      await client.query('GRANT USAGE ON SCHEMA conf TO GROUP conf_readers');
      await client.query('GRANT SELECT ON conf.facts TO GROUP conf_readers');
    });
    return {
      /** The function's configuration names where it may connect (the secret's host must be it). */
      allowedHost: `${server.host}:${server.port}`,
      secretFor(username: string, password?: string) {
        return redshiftSecretSchema.parse({
          engine: 'redshift',
          host: server.host,
          port: server.port,
          username,
          ...(password === undefined ? {} : { password }),
          dbname: 'postgres',
        });
      },
      async createUser(username: string, password: string) {
        await asSuperuser(server, (client) =>
          client.query(
            `CREATE USER ${quoteIdent(username)} PASSWORD '${md5PasswordHash(password, username)}'`,
          ),
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
      stop: () => server.stop(),
    };
  },
  createEngine: (target) =>
    redshiftEngine({ pg: { tls: 'disable', connectTimeoutMs: 3_000 }, allowedHosts: [target.allowedHost] }),
  skip: {
    'wait-abort': 'Redshift applies ALTER USER synchronously (asyncChanges: false)',
    'rotation-dual-password': 'a Redshift user holds one password',
  },
  policySamples: 20,
});
