/**
 * The Data API transport against @rotor/local-aws's Redshift Data service, which runs statements on a real
 * PostgreSQL and authenticates each one with the AWSCURRENT value of the secret it is given.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5PasswordHash, quoteIdent } from '../../src/sql.ts';
import { canLogin as canLoginTo } from '../support/postgres.ts';
import { stepContext } from '../support/step-context.ts';

let server: PostgresServerHandle;
let aws: LocalAws;
let client: RedshiftDataClient;

const canLogin = (user: string, password: string) => canLoginTo(server, user, password);

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'md5' });
  aws = await startLocalAws({ redshiftData: { clusters: { analytics: server.connectionString() } } });
  client = new RedshiftDataClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
});

afterAll(async () => {
  client?.destroy();
  await aws?.stop();
  await server?.stop();
});

describe('data-api transport on the local Redshift Data service', () => {
  it('a single-user change retried after it committed succeeds: the first attempt is on record', async () => {
    const initial = 'Initial1Password';
    const next = 'Next1PasswordAbc';
    const connection = new pg.Client({ connectionString: server.connectionString() });
    await connection.connect();
    await connection.query(
      `CREATE USER ${quoteIdent('solo')} PASSWORD '${md5PasswordHash(initial, 'solo')}'`,
    );
    await connection.end();
    const value = {
      engine: 'redshift',
      host: server.host,
      port: server.port,
      username: 'solo',
      password: initial,
      dbname: 'postgres',
      dbClusterIdentifier: 'analytics',
    };
    const created = await aws.secretsManager.call('CreateSecret', {
      Name: 'solo',
      SecretString: JSON.stringify(value),
    });
    const secretId = String(created.ARN);
    // Without direct logins, a refused retry is recognised from the Data API's statement history.
    const engine = redshiftEngine({
      transport: 'data-api',
      dataApi: { client, loginCheck: 'none', pollIntervalMs: 20 },
    });
    const current = redshiftSecretSchema.parse(value);
    const pending = { ...current, password: next };
    const change = (token: string) =>
      engine.setPasswords(
        { user: pending, passwords: [next], principal: { kind: 'self', secret: current } },
        stepContext({ secretId, clientRequestToken: token }),
      );

    await change('rotation-1');
    expect(await canLogin('solo', next)).toBe(true);
    expect(await canLogin('solo', initial)).toBe(false);
    // AWSCURRENT still holds the old password, which no longer logs in, so the retry's statement is refused;
    // the first attempt of the same change is in the statement history, so the retry succeeds.
    await change('rotation-1');
    await expect(change('rotation-2')).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED' });
    expect(await canLogin('solo', next)).toBe(true);
  });
});
