import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FakePostgresListener,
  type PostgresServerHandle,
  startFakePostgresListener,
  startPostgresServer,
} from '@rotor/local-aws/harness';
import { type LocalEndpoint, startLocalEndpoint } from '@rotor/testkit/local-aws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canLogin as canLoginTo, secretValue as secretOn } from './support.ts';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
let server: PostgresServerHandle;
let endpoint: LocalEndpoint;
let functionArn: string;
/** Verified TLS (the default), allowed to reach only the fake listener. */
let verifiedFunctionArn: string;
let listener: FakePostgresListener;
let superuser: pg.Client;

const canLogin = (user: string, password: string) => canLoginTo(server, user, password);
const secretValue = (username: string, password: string): Record<string, unknown> =>
  secretOn(server, username, password);

beforeAll(async () => {
  // The test runs the deployable artifact (built by tests/global-setup.ts): the bundle Secrets Manager invokes.
  server = await startPostgresServer({ authMethod: 'scram-sha-256', logStatements: true });
  superuser = new pg.Client({ connectionString: server.connectionString() });
  await superuser.connect();
  endpoint = await startLocalEndpoint();
  listener = await startFakePostgresListener();
  functionArn = endpoint.registerFunction({
    functionName: 'postgres-rotation',
    bundlePath: join(appRoot, 'dist/index.mjs'),
    handler: 'handler',
    // The one server the function may connect to; the local one has no TLS (a downgrade it warns of).
    environment: { ROTOR_PG_ALLOWED_HOSTS: `${server.host}:${server.port}`, ROTOR_PG_TLS: 'disable' },
  }).functionArn;
  verifiedFunctionArn = endpoint.registerFunction({
    functionName: 'postgres-rotation-verified',
    bundlePath: join(appRoot, 'dist/index.mjs'),
    handler: 'handler',
    environment: { ROTOR_PG_ALLOWED_HOSTS: `${listener.host}:${listener.port}` },
  }).functionArn;
});

afterAll(async () => {
  await listener?.close();
  await superuser?.end().catch(() => {});
  await endpoint?.stop();
  await server?.stop();
});

describe('the bundled postgres-rotation function, invoked by Secrets Manager (local endpoint)', () => {
  it('single-user: two rotations, each password logs in and the one before is refused', async () => {
    await superuser.query(`CREATE ROLE orders_app LOGIN PASSWORD 'Initial-Password-1'`);
    const arn = await endpoint.createSecret(
      'prod/orders-app',
      secretValue('orders_app', 'Initial-Password-1'),
    );
    let previous = 'Initial-Password-1';
    for (const round of [1, 2]) {
      const rotation = await endpoint.rotate(arn, functionArn);
      expect(rotation, `rotation ${round}: ${rotation.error ?? ''}`).toMatchObject({ status: 'succeeded' });
      const current = await endpoint.valueAt(arn);
      expect(current).toMatchObject({ username: 'orders_app', engine: 'postgres', port: server.port });
      expect(await canLogin('orders_app', String(current.password))).toBe(true);
      expect(await canLogin('orders_app', previous)).toBe(false);
      expect(server.output()).not.toContain(String(current.password));
      previous = String(current.password);
    }
    const logs = endpoint.aws
      .invocations()
      .map((invocation) => invocation.logs)
      .join('\n');
    expect(logs).toContain('setSecret finished');
    expect(logs).not.toContain(previous);
  });

  it('alternating-users: the admin from masterarn creates orders_ro_clone with the memberships, then alternates', async () => {
    await superuser.query('CREATE ROLE reporting NOLOGIN');
    await superuser.query(`CREATE ROLE orders_ro LOGIN PASSWORD 'Initial-Password-2' IN ROLE reporting`);
    const adminArn = await endpoint.createSecret('prod/pg-admin', secretValue('postgres', server.password));
    const arn = await endpoint.createSecret('prod/orders-ro', {
      ...secretValue('orders_ro', 'Initial-Password-2'),
      masterarn: adminArn,
    });
    const first = await endpoint.rotate(arn, functionArn);
    expect(first, first.error).toMatchObject({ status: 'succeeded' });
    const afterFirst = await endpoint.valueAt(arn);
    expect(afterFirst.username).toBe('orders_ro_clone');
    expect(await canLogin('orders_ro_clone', String(afterFirst.password))).toBe(true);
    expect(await canLogin('orders_ro', 'Initial-Password-2')).toBe(true);
    const { rows } = await superuser.query(
      `SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'orders_ro_clone'`,
    );
    expect(rows.map((row) => row.rolname)).toEqual(['reporting']);
    const second = await endpoint.rotate(arn, functionArn);
    expect(second, second.error).toMatchObject({ status: 'succeeded' });
    const afterSecond = await endpoint.valueAt(arn);
    expect(afterSecond.username).toBe('orders_ro');
    expect(await canLogin('orders_ro', String(afterSecond.password))).toBe(true);
    expect(await canLogin('orders_ro', 'Initial-Password-2')).toBe(false);
    expect(await canLogin('orders_ro_clone', String(afterFirst.password))).toBe(true);
  });

  it('refuses to rotate a secret whose password does not log in: the rotation fails and AWSCURRENT is unchanged', async () => {
    await superuser.query(`CREATE ROLE billing_app LOGIN PASSWORD 'Real-Password-3'`);
    const arn = await endpoint.createSecret(
      'prod/billing-app',
      secretValue('billing_app', 'Stale-Password-3'),
    );
    const rotation = await endpoint.rotate(arn, functionArn);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/CredentialRejectedError/);
    expect(await endpoint.valueAt(arn)).toMatchObject({ password: 'Stale-Password-3' });
    expect(await canLogin('billing_app', 'Real-Password-3')).toBe(true);
  });

  it('refuses a secret whose host is not an allowed host: no connection reaches it, nothing is written', async () => {
    await superuser.query(`CREATE ROLE redirected_app LOGIN PASSWORD 'Redirected-Password-4'`);
    const value = {
      ...secretValue('redirected_app', 'Redirected-Password-4'),
      host: listener.host,
      port: listener.port,
    };
    const arn = await endpoint.createSecret('prod/redirected', value);
    const rotation = await endpoint.rotate(arn, functionArn);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*not one of this function's allowed hosts/);
    expect(listener.connections).toBe(0);
    expect(await endpoint.valueAt(arn)).toEqual(value);
    expect(await canLogin('redirected_app', 'Redirected-Password-4')).toBe(true);
  });

  it('refuses a secret whose ssl key would turn TLS off: the listener sees no connection', async () => {
    const value = {
      ...secretValue('downgrade_app', 'Downgrade-Password-5'),
      host: listener.host,
      port: listener.port,
      ssl: false,
    };
    const arn = await endpoint.createSecret('prod/downgrade', value);
    const rotation = await endpoint.rotate(arn, verifiedFunctionArn);
    expect(rotation.status).toBe('failed');
    expect(rotation.error).toMatch(/InvalidSecretError.*weaker TLS/);
    expect(listener.connections).toBe(0);
    expect(await endpoint.valueAt(arn)).toEqual(value);
  });

  it('warns of the TLS downgrade on every invocation and names the connection at cold start', () => {
    const invocations = endpoint.aws.invocations().filter((i) => i.functionName === 'postgres-rotation');
    expect(invocations.length).toBeGreaterThan(4);
    for (const invocation of invocations) {
      expect(invocation.logs).toMatch(
        /"level":"WARN".*TLS downgrade: the PostgreSQL connection uses no TLS \(passwords in clear text\) because of ROTOR_PG_TLS=disable/,
      );
    }
  });
});
