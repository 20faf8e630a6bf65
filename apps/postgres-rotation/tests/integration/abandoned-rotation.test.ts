/**
 * A single-user rotation that someone abandons after it changed the password (decision 0015): the bundled
 * function, the local endpoint (which abandons a rotation when a new version is created, as AWS does) and a
 * real SCRAM-only PostgreSQL. The crash interceptor holds the function at a chosen call while the test
 * writes the secret, then lets it go on. Afterwards the server must accept AWSCURRENT, and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import {
  CaseControl,
  CONTROL_DIR_VARIABLE,
  type CrashPoint,
  interceptorModule,
  postgresVerifierOpens,
} from '@rotor/testkit/crash';
import { type LocalEndpoint, startLocalEndpoint } from '@rotor/testkit/local-aws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canLogin } from './support.ts';

const bundlePath = join(dirname(fileURLToPath(import.meta.url)), '../../dist/index.mjs');
let server: PostgresServerHandle;
let endpoint: LocalEndpoint;
let workDir: string;
let counter = 0;

beforeAll(async () => {
  server = await startPostgresServer({ authMethod: 'scram-sha-256' });
  endpoint = await startLocalEndpoint({ testMode: { functionPreload: await interceptorModule() } });
  workDir = mkdtempSync(join(tmpdir(), 'abandoned-rotation-'));
});
afterAll(async () => {
  await endpoint?.stop();
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function superuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Rotates a fresh role, holds the function at `point`, runs `write` (with the rotation's token), lets the
 * function go on, and returns what the secret and the server hold afterwards.
 */
async function rotateWithWriteAt(
  point: Omit<CrashPoint, 'action'>,
  write: (secretArn: string, token: string) => Promise<void>,
) {
  const role = `abandon_${++counter}`;
  const original = `Original-${counter}-Password-9`;
  await superuser((client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${original}'`));
  const arn = await endpoint.createSecret(`abandoned/${role}`, {
    engine: 'postgres',
    host: server.host,
    port: server.port,
    username: role,
    password: original,
    dbname: 'postgres',
  });
  const control = new CaseControl(join(workDir, role));
  control.writePlan({ point: { ...point, action: 'pause' } });
  const fn = endpoint.registerFunction({
    functionName: `abandon-${counter}`,
    bundlePath,
    environment: {
      ROTOR_PG_TLS: 'disable',
      ROTOR_PG_ALLOWED_HOSTS: `${server.host}:${server.port}`,
      ROTOR_STRATEGY: 'single-user',
      [CONTROL_DIR_VARIABLE]: control.dir,
    },
  });
  const started = await endpoint.aws.secretsManager.call('RotateSecret', {
    SecretId: arn,
    RotationLambdaARN: fn.functionArn,
  });
  const token = String(started.VersionId);
  await expect.poll(() => control.signalled() !== undefined, { timeout: 20_000 }).toBe(true);
  await write(arn, token);
  control.resume();
  const rotation = await endpoint.aws.waitForRotation(arn, { timeoutMs: 30_000 });
  const abandonedValue = JSON.parse(
    String(
      (await endpoint.aws.secretsManager.call('GetSecretValue', { SecretId: arn, VersionId: token }))
        .SecretString,
    ),
  ) as { password: string };
  const stored = await superuser(async (client) => {
    const { rows } = await client.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
    return String(rows[0].rolpassword);
  });
  const lastInvocation = endpoint.aws
    .invocations()
    .filter((invocation) => invocation.secretId === arn)
    .at(-1)!;
  return { role, original, arn, token, rotation, abandoned: abandonedValue.password, stored, lastInvocation };
}

describe('a single-user rotation abandoned after it changed the password', () => {
  it("an operator's new AWSCURRENT while setSecret runs: setSecret restores it before it returns", async () => {
    const result = await rotateWithWriteAt(
      { step: 'setSecret', index: -1, label: 'pg ALTER ROLE', phase: 'after' },
      async (arn) => {
        await endpoint.putValue(arn, { ...(await endpoint.valueAt(arn)), note: 'owner: team-b' });
      },
    );
    expect(result.rotation.status).toBe('abandoned');
    expect(result.lastInvocation).toMatchObject({ step: 'setSecret', errorType: 'RotationAbandonedError' });
    expect(result.lastInvocation.errorMessage).toContain(
      `restored the password of "${result.role}" to AWSCURRENT`,
    );
    const current = await endpoint.valueAt(result.arn);
    expect(current).toMatchObject({ password: result.original, note: 'owner: team-b' });
    expect(await canLogin(server, result.role, result.original)).toBe(true);
    expect(await canLogin(server, result.role, result.abandoned)).toBe(false);
    // The only verifier the server holds is AWSCURRENT's.
    expect(postgresVerifierOpens(result.stored, result.role, result.original)).toBe(true);
    expect(postgresVerifierOpens(result.stored, result.role, result.abandoned)).toBe(false);
    expect(result.lastInvocation.logs).not.toContain(result.abandoned);
  });

  it("another tool's new AWSPENDING version during testSecret: testSecret restores AWSCURRENT", async () => {
    const result = await rotateWithWriteAt(
      { step: 'testSecret', index: -1, label: 'pg login', phase: 'before' },
      async (arn) => {
        await endpoint.putValue(arn, { note: 'another tool' }, ['AWSPENDING']);
      },
    );
    expect(result.rotation.status).toBe('abandoned');
    expect(result.lastInvocation).toMatchObject({ step: 'testSecret', errorType: 'RotationAbandonedError' });
    expect(await canLogin(server, result.role, result.original)).toBe(true);
    expect(await canLogin(server, result.role, result.abandoned)).toBe(false);
  });

  it("a new AWSCURRENT between setSecret and testSecret: the next step's pre-check restores it", async () => {
    const result = await rotateWithWriteAt(
      { step: 'testSecret', index: -1, label: 'secretsmanager DescribeSecret', phase: 'before' },
      async (arn) => {
        await endpoint.putValue(arn, { ...(await endpoint.valueAt(arn)), note: 'edited by hand' });
      },
    );
    expect(result.rotation.status).toBe('abandoned');
    expect(result.lastInvocation.errorMessage).toContain('was abandoned during testSecret');
    expect(await canLogin(server, result.role, result.original)).toBe(true);
    expect(await canLogin(server, result.role, result.abandoned)).toBe(false);
  });
});
