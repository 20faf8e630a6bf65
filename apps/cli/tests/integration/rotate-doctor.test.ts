import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
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

const INITIAL_PASSWORD = 'initial-Password-0001';
/** The engine's configuration: the one server it may connect to (loopback, no TLS). Set once it runs. */
let ENGINE_OPTIONS = '';

let aws: LocalAws;
let postgres: PostgresServerHandle;
let client: SecretsManagerClient;

beforeAll(async () => {
  [aws, postgres] = await Promise.all([
    startLocalAws(),
    startPostgresServer({ authMethod: 'scram-sha-256' }),
  ]);
  ENGINE_OPTIONS = JSON.stringify({ tls: 'disable', allowedHosts: [`${postgres.host}:${postgres.port}`] });
  client = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  await withAdmin((admin) => admin.query(`CREATE ROLE cli_app LOGIN PASSWORD '${INITIAL_PASSWORD}'`));
  await client.send(
    new CreateSecretCommand({
      Name: 'cli/pg/app',
      SecretString: JSON.stringify({
        engine: 'postgres',
        host: postgres.host,
        port: postgres.port,
        username: 'cli_app',
        password: INITIAL_PASSWORD,
        dbname: 'postgres',
      }),
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([aws?.stop(), postgres?.stop()]);
});

async function withAdmin<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: postgres.connectionString() });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}

async function login(user: string, password: string): Promise<'accepted' | string> {
  const connection = new pg.Client({
    host: postgres.host,
    port: postgres.port,
    user,
    password,
    database: 'postgres',
  });
  try {
    await connection.connect();
    await connection.query('SELECT 1');
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

async function cli(...args: string[]) {
  const io = capturedIo();
  const code = await runCli([...args, '--endpoint', aws.endpoint], { io });
  return { code, out: io.out(), err: io.err() };
}

async function currentPassword(secretId: string): Promise<string> {
  const value = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return (JSON.parse(value.SecretString ?? '{}') as { password: string }).password;
}

describe('rotor doctor and rotor rotate with the postgres engine', () => {
  it('doctor passes every check of a healthy secret and changes nothing', async () => {
    // Prepare
    const before = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    aws.resetApiCalls();

    // Act
    const { code, out } = await cli(
      'doctor',
      'cli/pg/app',
      '--engine',
      'postgres',
      '--engine-options',
      ENGINE_OPTIONS,
      '--json',
    );

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(out) as DoctorReport;
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      secret: 'pass',
      rotation: 'warn',
      shape: 'pass',
      'admin-secret': 'skip',
      login: 'pass',
    });
    const calls = aws.apiCalls().secretsmanager ?? {};
    expect(Object.keys(calls).sort()).toEqual(['DescribeSecret', 'GetSecretValue', 'ListSecretVersionIds']);
    const after = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);
    expect(out).not.toContain(INITIAL_PASSWORD);
  });

  it('rotate without a pending rotation and without --start exits 2 and writes nothing', async () => {
    const before = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    const { code, err } = await cli(
      'rotate',
      'cli/pg/app',
      '--engine',
      'postgres',
      '--engine-options',
      ENGINE_OPTIONS,
    );
    expect(code).toBe(EXIT_CODES.usage);
    expect(err).toContain('No rotation is pending for cli/pg/app. Pass --start');
    const after = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);
  });

  it('rotate --token refuses a version that does not exist (without --start) or is not AWSPENDING', async () => {
    const description = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    const current = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) =>
      stages.includes('AWSCURRENT'),
    )?.[0];
    const base = ['rotate', 'cli/pg/app', '--engine', 'postgres', '--engine-options', ENGINE_OPTIONS];

    const unknown = await cli(...base, '--token', 'no-such-version-000000000000000000000');
    const notPending = await cli(...base, '--token', current ?? '');

    expect(unknown.code).toBe(EXIT_CODES.usage);
    expect(unknown.err).toContain('does not exist; pass --start to begin a rotation with that version id');
    expect(notPending.code).toBe(EXIT_CODES.usage);
    expect(notPending.err).toContain('is not AWSPENDING (its stages: AWSCURRENT)');
  });

  it('rotate --start runs the four steps, prints each, and the new password replaces the old one', async () => {
    // Act
    const { code, out } = await cli(
      'rotate',
      'cli/pg/app',
      '--engine',
      'postgres',
      '--strategy',
      'single-user',
      '--start',
      '--ignore-rotation-disabled',
      '--engine-options',
      ENGINE_OPTIONS,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    const stepLines = out
      .split('\n')
      .filter((line) => /^(createSecret|setSecret|testSecret|finishSecret)$/.test(line));
    expect(stepLines).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(out.match(/ {2}done in \d+ ms/g)).toHaveLength(4);
    expect(out).toContain('is now AWSCURRENT');
    const rotated = await currentPassword('cli/pg/app');
    expect(rotated).not.toBe(INITIAL_PASSWORD);
    expect(out).not.toContain(rotated);
    expect(out).not.toContain(INITIAL_PASSWORD);
    expect(await login('cli_app', rotated)).toBe('accepted');
    expect(await login('cli_app', INITIAL_PASSWORD)).toBe('28P01');
    // AWSPENDING was removed from the new current version, as Secrets Manager does.
    const description = await client.send(new DescribeSecretCommand({ SecretId: 'cli/pg/app' }));
    expect(Object.values(description.VersionIdsToStages ?? {}).flat()).not.toContain('AWSPENDING');
  });

  it('doctor reports a password the database refuses as a failed check (exit 3) without printing it', async () => {
    // Prepare
    const wrong = 'wrong-Password-0000000';
    await client.send(
      new CreateSecretCommand({
        Name: 'cli/pg/wrong',
        SecretString: JSON.stringify({
          host: postgres.host,
          port: postgres.port,
          username: 'cli_app',
          password: wrong,
        }),
      }),
    );

    // Act
    const { code, out } = await cli(
      'doctor',
      'cli/pg/wrong',
      '--engine',
      'postgres',
      '--engine-options',
      ENGINE_OPTIONS,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.unhealthy);
    expect(out).toMatch(/Login with AWSCURRENT\s+FAIL/);
    expect(out).not.toContain(wrong);
  });

  it("doctor reports a secret that does not fit the engine's schema, naming the field", async () => {
    await client.send(
      new CreateSecretCommand({ Name: 'cli/pg/shapeless', SecretString: JSON.stringify({ username: 'x' }) }),
    );
    const { code, out } = await cli('doctor', 'cli/pg/shapeless', '--engine', 'postgres', '--json');
    expect(code).toBe(EXIT_CODES.unhealthy);
    const report = JSON.parse(out) as DoctorReport;
    expect(report.checks.find((c) => c.id === 'shape')).toMatchObject({ status: 'fail' });
    expect(report.checks.find((c) => c.id === 'shape')?.detail).toContain('host');
  });

  it('a rotation that fails in a step stays pending, status calls it stuck, and rotate resumes the same version', async () => {
    // Prepare: a secret for a role that does not exist yet
    const ghostPassword = 'ghost-Password-00001';
    await client.send(
      new CreateSecretCommand({
        Name: 'cli/pg/ghost',
        SecretString: JSON.stringify({
          host: postgres.host,
          port: postgres.port,
          username: 'ghost',
          password: ghostPassword,
        }),
      }),
    );
    const rotate = (...extra: string[]) =>
      cli(
        'rotate',
        'cli/pg/ghost',
        '--engine',
        'postgres',
        '--ignore-rotation-disabled',
        '--engine-options',
        ENGINE_OPTIONS,
        ...extra,
      );

    // Act 1: setSecret cannot log in as the missing role
    const failed = await rotate('--start', '--json');

    // Assess 1
    expect(failed.code).toBe(EXIT_CODES.failure);
    const result = JSON.parse(failed.out) as {
      versionId: string;
      steps: Array<{ step: string; result: string; error?: { code: string } }>;
    };
    expect(result.steps.map((s) => `${s.step}:${s.result}`)).toEqual([
      'createSecret:done',
      'setSecret:failed',
    ]);
    expect(result.steps[1]?.error?.code).toBe('CREDENTIAL_REJECTED');
    const stuck = await cli('status', 'cli/pg/ghost', '--stuck-after', '0');
    expect(stuck.code).toBe(EXIT_CODES.unhealthy);
    expect(stuck.out).toContain(`AWSPENDING is on version ${result.versionId}`);
    expect(failed.out).not.toContain(ghostPassword);

    // Act 2: --start again is refused while a rotation is pending; after the role exists, rotate resumes it
    const again = await rotate('--start');
    await withAdmin((admin) => admin.query(`CREATE ROLE ghost LOGIN PASSWORD '${ghostPassword}'`));
    const resumed = await rotate('--json');

    // Assess 2
    expect(again.code).toBe(EXIT_CODES.usage);
    expect(again.err).toContain(`already pending for cli/pg/ghost on version ${result.versionId}`);
    expect(resumed.code).toBe(EXIT_CODES.ok);
    const resumedResult = JSON.parse(resumed.out) as { versionId: string; mode: string };
    expect(resumedResult).toMatchObject({ versionId: result.versionId, mode: 'resumed' });
    const rotated = await currentPassword('cli/pg/ghost');
    expect(await login('ghost', rotated)).toBe('accepted');
    expect(await login('ghost', ghostPassword)).toBe('28P01');
    expect((await cli('status', 'cli/pg/ghost')).code).toBe(EXIT_CODES.ok);
  });

  it('rotor status reports a rotation interrupted after setSecret at once, and its resume command finishes it', async () => {
    // Prepare: what a single-user rotation cut off after setSecret leaves: rotation on, AWSPENDING holding the
    // new password, and the server already changed to it.
    const dir = await mkdtemp(join(tmpdir(), 'rotor-cli-interrupted-'));
    const bundlePath = join(dir, 'noop.mjs');
    await writeFile(bundlePath, 'export const handler = async () => {};\n');
    const fn = aws.registerFunction({ functionName: 'noop-rotation', bundlePath });
    await withAdmin((admin) => admin.query(`CREATE ROLE cli_cut LOGIN PASSWORD '${INITIAL_PASSWORD}'`));
    const value = {
      engine: 'postgres',
      host: postgres.host,
      port: postgres.port,
      username: 'cli_cut',
      password: INITIAL_PASSWORD,
      dbname: 'postgres',
    };
    await client.send(new CreateSecretCommand({ Name: 'cli/pg/cut', SecretString: JSON.stringify(value) }));
    await client.send(
      new RotateSecretCommand({
        SecretId: 'cli/pg/cut',
        RotationLambdaARN: fn.functionArn,
        RotateImmediately: false,
      }),
    );
    await aws.waitForRotation('cli/pg/cut');
    const pendingToken = 'interrupted-rotation-0000000000000000001';
    const newPassword = 'after-setSecret-Password-2';
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'cli/pg/cut',
        ClientRequestToken: pendingToken,
        SecretString: JSON.stringify({ ...value, password: newPassword }),
        VersionStages: ['AWSPENDING'],
      }),
    );
    await withAdmin((admin) => admin.query(`ALTER ROLE cli_cut PASSWORD '${newPassword}'`));
    await rm(dir, { recursive: true, force: true });

    // Act
    const interrupted = await cli(
      'status',
      'cli/pg/cut',
      '--engine',
      'postgres',
      '--engine-options',
      ENGINE_OPTIONS,
    );
    const guessed = await cli('status', 'cli/pg/cut');

    // Assess: at once (the pending version is seconds old), with the command that resumes it.
    expect(interrupted.code).toBe(EXIT_CODES.unhealthy);
    expect(interrupted.out).toContain('State          INTERRUPTED');
    const resume = `rotor rotate cli/pg/cut --engine postgres --token ${pendingToken} --engine-options '${ENGINE_OPTIONS}' --endpoint ${aws.endpoint}`;
    expect(interrupted.out).toContain(resume);
    expect(interrupted.out).not.toContain(newPassword);
    expect(interrupted.out).not.toContain(INITIAL_PASSWORD);
    // Without engine options the engine (named by the secret) cannot reach this TLS-less server: said, not guessed.
    expect(guessed.code).toBe(EXIT_CODES.ok);
    expect(guessed.out).toContain('State          ROTATING');
    expect(guessed.out).toContain('was not checked');

    // The resume command, run as printed, finishes the rotation.
    const resumed = await cli(
      'rotate',
      'cli/pg/cut',
      '--engine',
      'postgres',
      '--token',
      pendingToken,
      '--engine-options',
      ENGINE_OPTIONS,
    );
    expect(resumed.code).toBe(EXIT_CODES.ok);
    expect(await currentPassword('cli/pg/cut')).toBe(newPassword);
    expect(await login('cli_cut', newPassword)).toBe('accepted');
    expect(
      (await cli('status', 'cli/pg/cut', '--engine', 'postgres', '--engine-options', ENGINE_OPTIONS)).code,
    ).toBe(EXIT_CODES.ok);
  });
});
