/**
 * What AWS's PostgreSQL rotation functions do and this one now does too, end to end through the local endpoint
 * with the built bundle: the password variables, the secret's `engine` check, the secret's `ssl` key (it may
 * ask for TLS, never turn it off) and RDS-managed master secrets located with DescribeDBInstances /
 * DescribeDBClusters. Each refusal is checked to have written nothing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import { type LocalEndpoint, startLocalEndpoint } from '@rotor/testkit/local-aws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canLogin as canLoginTo, secretValue as secretOn } from './support.ts';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bundlePath = join(appRoot, 'dist/index.mjs');
/** Accepts TCP logins only over TLS (pg_hba hostssl), with the harness's test certificate. */
let server: PostgresServerHandle;
/** Plain text only: a connection that insists on TLS fails here. */
let plainServer: PostgresServerHandle;
let endpoint: LocalEndpoint;
let superuser: pg.Client;
const functions: Record<string, string> = {};

const ACCOUNT = '123456789012';
const INSTANCE_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`;
const CLUSTER_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:billing-aurora`;

const canLogin = (user: string, password: string) => canLoginTo(server, user, password);
const secretValue = (username: string, password: string, on: PostgresServerHandle = server) =>
  secretOn(on, username, password);

async function createRole(name: string, password: string): Promise<void> {
  await superuser.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
}

async function roleExists(name: string): Promise<boolean> {
  const { rows } = await superuser.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  return rows.length > 0;
}

function register(name: string, environment: Record<string, string>): void {
  functions[name] = endpoint.registerFunction({
    functionName: name,
    bundlePath,
    handler: 'handler',
    environment: { ROTOR_PG_ALLOWED_HOSTS: `${server.host}:${server.port}`, ...environment },
  }).functionArn;
}

beforeAll(async () => {
  [server, plainServer] = await Promise.all([
    startPostgresServer({ authMethod: 'scram-sha-256', tls: 'required' }),
    startPostgresServer({ authMethod: 'scram-sha-256' }),
  ]);
  superuser = new pg.Client({
    connectionString: server.connectionString(),
    ssl: { ca: server.tls?.ca, rejectUnauthorized: true },
  });
  await superuser.connect();
  endpoint = await startLocalEndpoint({
    rds: {
      // other-db is another server: an admin secret managed for it must not be used on this one.
      instances: { 'orders-db': server.connectionString(), 'other-db': plainServer.connectionString() },
      clusters: { 'billing-aurora': server.connectionString() },
    },
  });
  const verified = { ROTOR_PG_CA_FILE: server.tls!.caFile };
  register('pg-verified', verified);
  register('pg-password-rules', {
    ...verified,
    PASSWORD_LENGTH: '20',
    EXCLUDE_CHARACTERS: 'aeiouAEIOU',
    EXCLUDE_NUMBERS: 'true',
    EXCLUDE_PUNCTUATION: 'true',
    REQUIRE_EACH_INCLUDED_TYPE: 'true',
  });
  register('pg-password-rules-secrets-manager', {
    ...verified,
    ROTOR_PASSWORD_SOURCE: 'secrets-manager',
    PASSWORD_LENGTH: '24',
    EXCLUDE_LOWERCASE: 'true',
    EXCLUDE_PUNCTUATION: 'y',
  });
  // TLS off in the function: only a secret's ssl key can turn it on.
  register('pg-tls-off', { ...verified, ROTOR_PG_TLS: 'disable' });
  register('pg-tls-off-plain-server', {
    ROTOR_PG_TLS: 'disable',
    ROTOR_PG_ALLOWED_HOSTS: `${plainServer.host}:${plainServer.port}`,
  });
});

afterAll(async () => {
  await superuser?.end().catch(() => {});
  await endpoint?.stop();
  await Promise.all([server?.stop(), plainServer?.stop()]);
});

describe("the password variables of AWS's PostgreSQL functions", () => {
  it('PASSWORD_LENGTH, EXCLUDE_CHARACTERS, EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION shape the new password', async () => {
    await createRole('rules_app', 'Initial-Password-1');
    const arn = await endpoint.createSecret('prod/rules-app', secretValue('rules_app', 'Initial-Password-1'));
    const rotation = await endpoint.rotate(arn, functions['pg-password-rules']!);
    expect(rotation, rotation.error).toMatchObject({ status: 'succeeded' });
    const password = String((await endpoint.valueAt(arn)).password);
    expect(password).toHaveLength(20);
    expect(password).toMatch(/^[A-Za-z]+$/);
    expect(password).not.toMatch(/[aeiouAEIOU]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[a-z]/);
    expect(await canLogin('rules_app', password)).toBe(true);
    expect(await canLogin('rules_app', 'Initial-Password-1')).toBe(false);
  });

  it('reach GetRandomPassword too when passwords come from Secrets Manager', async () => {
    await createRole('rules_sm_app', 'Initial-Password-2');
    const arn = await endpoint.createSecret(
      'prod/rules-sm-app',
      secretValue('rules_sm_app', 'Initial-Password-2'),
    );
    endpoint.aws.resetApiCalls();
    const rotation = await endpoint.rotate(arn, functions['pg-password-rules-secrets-manager']!);
    expect(rotation, rotation.error).toMatchObject({ status: 'succeeded' });
    expect(endpoint.aws.apiCalls().secretsmanager?.GetRandomPassword).toBe(1);
    const password = String((await endpoint.valueAt(arn)).password);
    expect(password).toHaveLength(24);
    expect(password).toMatch(/^[A-Z0-9]+$/);
    expect(await canLogin('rules_sm_app', password)).toBe(true);
  });
});

describe("the secret's engine", () => {
  it('refuses a secret for another engine before anything is written', async () => {
    await createRole('mysql_app', 'Initial-Password-3');
    const value = { ...secretValue('mysql_app', 'Initial-Password-3'), engine: 'mysql' };
    const arn = await endpoint.createSecret('prod/mysql-app', value);
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*"engine": must be "postgres"/);
    expect(await endpoint.valueAt(arn)).toEqual(value);
    // RotateSecret's own AWSPENDING version stays empty: createSecret wrote no value into it.
    await expect(endpoint.valueAt(arn, 'AWSPENDING')).rejects.toThrow(/ResourceNotFound|can't find/i);
    expect(await canLogin('mysql_app', 'Initial-Password-3')).toBe(true);
  });
});

describe("the secret's ssl key", () => {
  it('ssl: true turns TLS on for a function configured without it (the server takes TLS logins only)', async () => {
    await createRole('ssl_app', 'Initial-Password-4');
    const arn = await endpoint.createSecret('prod/ssl-app', {
      ...secretValue('ssl_app', 'Initial-Password-4'),
      ssl: true,
    });
    const rotation = await endpoint.rotate(arn, functions['pg-tls-off']!);
    expect(rotation, rotation.error).toMatchObject({ status: 'succeeded' });
    const current = await endpoint.valueAt(arn);
    expect(current.ssl).toBe(true);
    expect(await canLogin('ssl_app', String(current.password))).toBe(true);
  });

  it('without it the same function sends no TLS, and this server refuses it (negative control)', async () => {
    await createRole('nossl_app', 'Initial-Password-5');
    const arn = await endpoint.createSecret('prod/nossl-app', secretValue('nossl_app', 'Initial-Password-5'));
    const rotation = await endpoint.rotate(arn, functions['pg-tls-off']!);
    expect(rotation.status).toBe('failed');
    // The server answers a plain-text login with 28000 (no pg_hba.conf entry): a refused login.
    expect(rotation.error).toMatch(/CredentialRejectedError/);
    expect(await canLogin('nossl_app', 'Initial-Password-5')).toBe(true);
  });

  it('ssl: true against a server without TLS fails rather than fall back to clear text', async () => {
    const plain = new pg.Client({ connectionString: plainServer.connectionString() });
    await plain.connect();
    try {
      await plain.query(`CREATE ROLE fallback_app LOGIN PASSWORD 'Initial-Password-6'`);
      const arn = await endpoint.createSecret('prod/fallback-app', {
        ...secretValue('fallback_app', 'Initial-Password-6', plainServer),
        ssl: 'true',
      });
      const rotation = await endpoint.rotate(arn, functions['pg-tls-off-plain-server']!);
      expect(rotation.status).toBe('failed');
      expect(rotation.error).toMatch(/does not support SSL/);
      expect((await endpoint.valueAt(arn)).password).toBe('Initial-Password-6');
    } finally {
      await plain.end();
    }
  });

  it('ssl: false cannot turn TLS off: refused before any connection, nothing written', async () => {
    const value = { ...secretValue('downgrade_app', 'Initial-Password-7'), ssl: false };
    const arn = await endpoint.createSecret('prod/downgrade-app', value);
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*weaker TLS/);
    expect(await endpoint.valueAt(arn)).toEqual(value);
    await expect(endpoint.valueAt(arn, 'AWSPENDING')).rejects.toThrow(/ResourceNotFound|can't find/i);
  });
});

describe('RDS-managed master secrets (no host; their tag names the DB instance or cluster)', () => {
  async function managedAdmin(name: string, tags: Record<string, string>): Promise<string> {
    return endpoint.createSecret(name, { username: server.user, password: server.password }, tags);
  }

  it('alternating users with an instance-managed admin: DescribeDBInstances finds the server', async () => {
    await createRole('orders_ro', 'Initial-Password-8');
    const adminArn = await managedAdmin('prod/orders-db-master', {
      'aws:rds:primaryDBInstanceArn': INSTANCE_ARN,
    });
    const arn = await endpoint.createSecret('prod/orders-ro', {
      ...secretValue('orders_ro', 'Initial-Password-8'),
      masterarn: adminArn,
    });
    endpoint.aws.resetApiCalls();
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation, rotation.error).toMatchObject({ status: 'succeeded' });
    expect(endpoint.aws.apiCalls().rds).toMatchObject({ DescribeDBInstances: expect.any(Number) });
    const current = await endpoint.valueAt(arn);
    expect(current.username).toBe('orders_ro_clone');
    expect(await canLogin('orders_ro_clone', String(current.password))).toBe(true);
  });

  it('a cluster-managed admin (Aurora PostgreSQL): DescribeDBClusters finds the writer', async () => {
    await createRole('billing_ro', 'Initial-Password-9');
    const adminArn = await managedAdmin('prod/billing-aurora-master', {
      'aws:rds:primaryDBClusterArn': CLUSTER_ARN,
    });
    const arn = await endpoint.createSecret('prod/billing-ro', {
      ...secretValue('billing_ro', 'Initial-Password-9'),
      masterarn: adminArn,
    });
    endpoint.aws.resetApiCalls();
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation, rotation.error).toMatchObject({ status: 'succeeded' });
    expect(endpoint.aws.apiCalls().rds).toMatchObject({ DescribeDBClusters: expect.any(Number) });
    expect(await roleExists('billing_ro_clone')).toBe(true);
  });

  it('refuses a tag naming another account: no RDS call, no clone, AWSCURRENT unchanged', async () => {
    await createRole('foreign_ro', 'Initial-Password-10');
    const adminArn = await managedAdmin('prod/foreign-db-master', {
      'aws:rds:primaryDBInstanceArn': INSTANCE_ARN.replace(ACCOUNT, '210987654321'),
    });
    const value = { ...secretValue('foreign_ro', 'Initial-Password-10'), masterarn: adminArn };
    const arn = await endpoint.createSecret('prod/foreign-ro', value);
    endpoint.aws.resetApiCalls();
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*outside this function's scope/);
    expect(endpoint.aws.apiCalls().rds).toBeUndefined();
    expect(await roleExists('foreign_ro_clone')).toBe(false);
    expect(await endpoint.valueAt(arn)).toEqual(value);
  });

  it("refuses an admin whose instance is another server than the user's: no admin login, no clone", async () => {
    await createRole('elsewhere_ro', 'Initial-Password-11');
    const adminArn = await managedAdmin('prod/other-db-master', {
      'aws:rds:primaryDBInstanceArn': INSTANCE_ARN.replace('orders-db', 'other-db'),
    });
    const value = { ...secretValue('elsewhere_ro', 'Initial-Password-11'), masterarn: adminArn };
    const arn = await endpoint.createSecret('prod/elsewhere-ro', value);
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(
      new RegExp(
        `InvalidSecretError.*is for ${plainServer.host}:${plainServer.port}.*refusing to send admin credentials elsewhere`,
      ),
    );
    expect(await roleExists('elsewhere_ro_clone')).toBe(false);
    expect(await endpoint.valueAt(arn)).toEqual(value);
  });

  it('refuses an instance RDS does not know, naming it', async () => {
    await createRole('ghost_ro', 'Initial-Password-12');
    const adminArn = await managedAdmin('prod/ghost-db-master', {
      'aws:rds:primaryDBInstanceArn': INSTANCE_ARN.replace('orders-db', 'ghost-db'),
    });
    const arn = await endpoint.createSecret('prod/ghost-ro', {
      ...secretValue('ghost_ro', 'Initial-Password-12'),
      masterarn: adminArn,
    });
    const rotation = await endpoint.rotate(arn, functions['pg-verified']!);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*ghost-db.*DBInstanceNotFound/);
    expect(await roleExists('ghost_ro_clone')).toBe(false);
  });
});
