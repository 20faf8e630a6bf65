import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor-run.js';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { runCli } from '../../src/program.js';
import { capturedIo } from '../unit/support/captured-io.js';

const FIRST_PASSWORD = 'First-Password-0000001';
let postgres: PostgresServerHandle;
let aws: LocalAws;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  postgres = await startPostgresServer({ authMethod: 'md5' });
  aws = await startLocalAws({ redshiftData: { clusters: { 'cli-cluster': postgres.connectionString() } } });
  secrets = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  const admin = new pg.Client({ connectionString: postgres.connectionString() });
  await admin.connect();
  const md5 = `md5${createHash('md5').update(`${FIRST_PASSWORD}cli_rs`).digest('hex')}`;
  await admin.query(`CREATE USER cli_rs PASSWORD '${md5}'`);
  await admin.end();
  await secrets.send(
    new CreateSecretCommand({
      Name: 'cli/rs/user',
      SecretString: JSON.stringify({
        engine: 'redshift',
        host: postgres.host,
        port: postgres.port,
        username: 'cli_rs',
        password: FIRST_PASSWORD,
        dbname: 'postgres',
        dbClusterIdentifier: 'cli-cluster',
      }),
    }),
  );
});

afterAll(async () => {
  secrets?.destroy();
  await aws?.stop();
  await postgres?.stop();
});

async function cli(...args: string[]) {
  const io = capturedIo();
  const code = await runCli([...args, '--endpoint', aws.endpoint], { io });
  return { code, out: io.out(), err: io.err() };
}

async function login(password: string): Promise<string> {
  const client = new pg.Client({
    host: postgres.host,
    port: postgres.port,
    user: 'cli_rs',
    password,
    database: 'postgres',
  });
  try {
    await client.connect();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('rotor with the redshift engine (PostgreSQL standing in)', () => {
  it('doctor logs in over pg', async () => {
    const options = JSON.stringify({ pg: { tls: 'disable' }, dialect: 'postgresql' });
    const { code, out } = await cli(
      'doctor',
      'cli/rs/user',
      '--engine',
      'redshift',
      '--engine-options',
      options,
      '--json',
    );
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(out) as DoctorReport;
    expect(report.checks.find((c) => c.id === 'login')?.status).toBe('pass');
  });

  it('rotate over the Data API of the --endpoint changes the password; the old one is refused', async () => {
    // Act
    const options = JSON.stringify({
      transport: 'data-api',
      dialect: 'postgresql',
      pg: { tls: 'disable' },
      dataApi: { loginCheck: 'pg' },
    });
    const { code, out } = await cli(
      'rotate',
      'cli/rs/user',
      '--engine',
      'redshift',
      '--strategy',
      'single-user',
      '--start',
      '--ignore-rotation-disabled',
      '--engine-options',
      options,
    );

    // Assess
    expect(code, out).toBe(EXIT_CODES.ok);
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: 'cli/rs/user' }));
    const rotated = (JSON.parse(value.SecretString ?? '{}') as { password: string }).password;
    expect(rotated).not.toBe(FIRST_PASSWORD);
    expect(await login(rotated)).toBe('accepted');
    expect(await login(FIRST_PASSWORD)).toBe('28P01');
    expect(aws.apiCalls()['redshift-data']?.BatchExecuteStatement ?? 0).toBeGreaterThan(0);
    expect(out).not.toContain(rotated);
  });
});
