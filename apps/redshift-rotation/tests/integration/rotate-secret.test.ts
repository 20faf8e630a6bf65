/**
 * End to end: the built bundle registered as a rotation function in the local AWS endpoint, RotateSecret
 * through the real SDK, a real PostgreSQL (md5 authentication) standing in for Redshift. Both strategies,
 * three rotations each, real logins with negative controls, a client loop that follows AWSCURRENT, and
 * the server's statement log checked for clear-text passwords.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type PostgresServerHandle, startPostgresServer } from '@rotor/local-aws/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, canLogin, md5PasswordHash, quoteIdent } from './support.ts';

let server: PostgresServerHandle;
let aws: LocalAws;
let sm: SecretsManagerClient;
const functionArns: Record<Transport, string> = { pg: '', 'data-api': '' };
type Transport = 'pg' | 'data-api';
const TRANSPORTS: Transport[] = ['pg', 'data-api'];
let iamFunctionArn = '';
const PREFIX: Record<Transport, string> = { pg: 'direct', 'data-api': 'dataapi' };
const passwordsSeen = new Set<string>();

const url = (user: string, password: string) => server.connectionString({ user, password });

async function superuser(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createLogin(user: string, password: string): Promise<void> {
  passwordsSeen.add(password);
  await superuser(`CREATE USER ${quoteIdent(user)} PASSWORD '${md5PasswordHash(password, user)}'`);
}

async function current(secretId: string): Promise<Record<string, unknown>> {
  const output = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = JSON.parse(output.SecretString!) as Record<string, unknown>;
  passwordsSeen.add(String(value.password));
  return value;
}

async function rotate(secretId: string, transport: Transport): Promise<Record<string, unknown>> {
  await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: functionArns[transport],
      RotationRules: { AutomaticallyAfterDays: 30 },
    }),
  );
  const record = await aws.waitForRotation(secretId, { timeoutMs: 60_000 });
  expect(record.error).toBeUndefined();
  expect(record.status).toBe('succeeded');
  return current(secretId);
}

/**
 * Opens a fresh connection with AWSCURRENT again and again until stopped. Returns the failed logins and
 * the failure windows: runs of consecutive failures, from the first failure to the next success.
 */
function followCurrent(secretId: string) {
  let running = true;
  const outcomes: Array<{ at: number; ok: boolean }> = [];
  const done = (async () => {
    while (running) {
      const value = await current(secretId);
      const ok = await canLogin(url, String(value.username), String(value.password));
      outcomes.push({ at: Date.now(), ok });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      const windows: number[] = [];
      let openedAt: number | undefined;
      for (const outcome of outcomes) {
        if (!outcome.ok && openedAt === undefined) openedAt = outcome.at;
        if (outcome.ok && openedAt !== undefined) {
          windows.push(outcome.at - openedAt);
          openedAt = undefined;
        }
      }
      return { attempts: outcomes.length, failures: outcomes.filter((o) => !o.ok).length, windows };
    },
  };
}

let bundle: ReturnType<typeof buildBundle>;

beforeAll(async () => {
  bundle = buildBundle();
  const { bundlePath } = bundle;
  server = await startPostgresServer({ authMethod: 'md5', logStatements: true });
  passwordsSeen.add(server.password);
  aws = await startLocalAws({
    rotation: { maxAttempts: 1, retryDelayMs: 50 },
    // The Data API's cluster "analytics" is the same PostgreSQL; the service logs in with the secrets it is given.
    redshiftData: { clusters: { analytics: server.connectionString() } },
  });
  for (const transport of TRANSPORTS) {
    functionArns[transport] = aws.registerFunction({
      functionName: `rotor-redshift-${transport}`,
      bundlePath,
      handler: 'index.handler',
      timeoutSeconds: 30,
      environment: {
        ROTOR_REDSHIFT_TRANSPORT: transport,
        ROTOR_REDSHIFT_TLS: 'disable',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    }).functionArn;
  }
  iamFunctionArn = aws.registerFunction({
    functionName: 'rotor-redshift-data-api-iam',
    bundlePath,
    handler: 'index.handler',
    timeoutSeconds: 30,
    environment: {
      ROTOR_REDSHIFT_TRANSPORT: 'data-api',
      ROTOR_REDSHIFT_DATA_API_AUTH: 'temporary-credentials',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
  }).functionArn;
  sm = new SecretsManagerClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
});

afterAll(async () => {
  await aws?.stop();
  await server?.stop();
  bundle?.cleanup();
});

function secretValue(username: string, password: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    engine: 'redshift',
    host: server.host,
    port: String(server.port),
    username,
    password,
    dbname: 'postgres',
    dbClusterIdentifier: 'analytics',
    ...extra,
  });
}

describe.each(TRANSPORTS)('RotateSecret with the bundled function (%s transport)', (transport) => {
  // PostgreSQL reserves role names starting with pg_.
  const u = (name: string) => `${PREFIX[transport]}_${name}`;
  it('single user: three rotations, new password works, old refused; the failure window is measured', async () => {
    const initial = 'SingleInitial1Password';
    await createLogin(u('single'), initial);
    await sm.send(
      new CreateSecretCommand({ Name: u('single'), SecretString: secretValue(u('single'), initial) }),
    );

    const loop = followCurrent(u('single'));
    let previous = initial;
    for (let round = 1; round <= 3; round += 1) {
      const value = await rotate(u('single'), transport);
      expect(value.username).toBe(u('single'));
      expect(value.dbClusterIdentifier).toBe('analytics');
      expect(await canLogin(url, u('single'), String(value.password))).toBe(true);
      expect(await canLogin(url, u('single'), previous)).toBe(false);
      previous = String(value.password);
    }
    const { attempts, failures, windows } = await loop.stop();
    console.info(
      `${transport} single-user: ${failures} failed logins of ${attempts} over 3 rotations; failure windows ${windows.join(', ')} ms` +
        ' (between setSecret and finishSecret, the gap AWS documents; @rotor/client retries across it)',
    );
    // The loop really ran alongside the rotations (how often depends on the machine).
    expect(attempts).toBeGreaterThan(3);
    // Each window closes once finishSecret has moved AWSCURRENT: no client is locked out for longer.
    for (const window of windows) expect(window).toBeLessThan(10_000);
  });

  it('alternating users: three rotations, previous user keeps working, zero failed logins for clients', async () => {
    await superuser('CREATE SCHEMA IF NOT EXISTS reports');
    await superuser('CREATE TABLE IF NOT EXISTS reports.daily (id int)');
    await superuser('CREATE TABLE IF NOT EXISTS reports.private (id int)');
    await superuser(
      `DO $$ BEGIN CREATE GROUP report_readers; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await superuser('GRANT USAGE ON SCHEMA reports TO GROUP report_readers');
    await superuser('GRANT SELECT ON reports.daily TO GROUP report_readers');
    const initial = 'AltInitial1Password';
    await createLogin(u('app'), initial);
    await superuser(`ALTER GROUP report_readers ADD USER ${u('app')}`);
    await superuser(`GRANT INSERT ON reports.daily TO ${u('app')}`);
    await superuser(`ALTER USER ${u('app')} SET search_path TO reports, public`);

    const admin = await sm.send(
      new CreateSecretCommand({
        Name: u('admin'),
        SecretString: JSON.stringify({
          engine: 'redshift',
          host: server.host,
          port: server.port,
          username: server.user,
          password: server.password,
        }),
      }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: u('app'),
        SecretString: secretValue(u('app'), initial, { masterarn: admin.ARN }),
      }),
    );

    const loop = followCurrent(u('app'));
    const first = await rotate(u('app'), transport);
    const second = await rotate(u('app'), transport);
    const third = await rotate(u('app'), transport);
    const { attempts, failures } = await loop.stop();
    console.info(`${transport} alternating-users: ${failures} failed logins of ${attempts} over 3 rotations`);
    expect(failures).toBe(0);
    // The loop really ran alongside the rotations (how often depends on the machine).
    expect(attempts).toBeGreaterThan(3);

    expect([first.username, second.username, third.username]).toEqual([
      u('app_clone'),
      u('app'),
      u('app_clone'),
    ]);
    expect(third.masterarn).toBe(admin.ARN);
    expect(await canLogin(url, u('app_clone'), String(third.password))).toBe(true);
    expect(await canLogin(url, u('app'), String(second.password))).toBe(true);
    expect(await canLogin(url, u('app_clone'), String(first.password))).toBe(false);
    expect(await canLogin(url, u('app'), initial)).toBe(false);

    // The clone can do what the original can, and no more, seen from its own session.
    for (const [user, password] of [
      [u('app'), String(second.password)],
      [u('app_clone'), String(third.password)],
    ] as const) {
      const client = new pg.Client({ connectionString: url(user, password) });
      await client.connect();
      try {
        expect((await client.query('SHOW search_path')).rows[0].search_path).toBe('reports, public');
        await client.query('SELECT count(*) FROM daily');
        await client.query('INSERT INTO reports.daily VALUES (1)');
        await expect(client.query('SELECT * FROM reports.private')).rejects.toMatchObject({ code: '42501' });
        const groups = await client.query(
          'SELECT groname FROM pg_group WHERE (SELECT usesysid FROM pg_user WHERE usename = current_user) = ANY(grolist)',
        );
        expect(groups.rows).toEqual([{ groname: 'report_readers' }]);
      } finally {
        await client.end();
      }
    }
  });

  if (transport === 'data-api') {
    it('says in its logs that the Data API could not prove the passwords', () => {
      const logs = aws
        .invocations()
        .filter((i) => i.functionName === 'rotor-redshift-data-api' && i.step === 'testSecret')
        .map((i) => i.logs)
        .join('\n');
      expect(logs).toMatch(/skipped: the Redshift Data API authenticates with a stored secret/);
    });
  }
});

describe('RotateSecret with the bundled function: refusals and logs', () => {
  it('data-api with temporary credentials (DbUser): three single-user rotations', async () => {
    const initial = 'IamInitial1Password';
    await createLogin('iam_single', initial);
    await sm.send(
      new CreateSecretCommand({ Name: 'iam-single', SecretString: secretValue('iam_single', initial) }),
    );
    let previous = initial;
    for (let round = 1; round <= 3; round += 1) {
      await sm.send(new RotateSecretCommand({ SecretId: 'iam-single', RotationLambdaARN: iamFunctionArn }));
      const record = await aws.waitForRotation('iam-single', { timeoutMs: 60_000 });
      expect(record.error).toBeUndefined();
      const value = await current('iam-single');
      expect(await canLogin(url, 'iam_single', String(value.password))).toBe(true);
      expect(await canLogin(url, 'iam_single', previous)).toBe(false);
      previous = String(value.password);
    }
  });

  it.each([
    ['not JSON', 'rs-malformed', 'this is not json', /not JSON|JSON/i],
    [
      'another engine',
      'rs-wrong-engine',
      '{"engine":"mysql","host":"h","username":"u","password":"Passw0rdPassw0rd"}',
      /engine/,
    ],
  ])(
    'fails a rotation of a secret that is %s in createSecret, writing nothing',
    async (_label, name, value, message) => {
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArns.pg }));
      const record = await aws.waitForRotation(name, { timeoutMs: 30_000 });
      expect(record.status).toBe('failed');
      const failed = aws.invocations().filter((i) => i.secretId?.includes(name) && i.outcome === 'failed');
      expect(failed[0]?.step).toBe('createSecret');
      expect(failed[0]?.errorType).toBe('InvalidSecretError');
      expect(failed[0]?.errorMessage).toMatch(message);
      const output = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(output.SecretString).toBe(value);
    },
  );

  it('fails a rotation for a user that does not exist, creating nothing', async () => {
    await sm.send(
      new CreateSecretCommand({
        Name: 'rs-ghost',
        SecretString: secretValue('ghost_user', 'Ghost1Password'),
      }),
    );
    await sm.send(new RotateSecretCommand({ SecretId: 'rs-ghost', RotationLambdaARN: functionArns.pg }));
    const record = await aws.waitForRotation('rs-ghost', { timeoutMs: 30_000 });
    expect(record.status).toBe('failed');
    const failed = aws
      .invocations()
      .filter((i) => i.secretId?.includes('rs-ghost') && i.outcome === 'failed');
    expect(failed[0]?.step).toBe('setSecret');
    expect(failed[0]?.errorType).toBe('CredentialRejectedError');
    const users = await superuser(`SELECT 1 FROM pg_user WHERE usename = 'ghost_user'`);
    expect(users.rowCount).toBe(0);
  });

  it('fails a rotation with a hostile user name without touching the database or the secret', async () => {
    await createLogin('victim_user', 'Victim1Password');
    const hostile = 'a"; DROP USER victim_user; --';
    await sm.send(
      new CreateSecretCommand({
        Name: 'rs-hostile',
        SecretString: secretValue(hostile, 'Whatever1Password'),
      }),
    );
    await sm.send(new RotateSecretCommand({ SecretId: 'rs-hostile', RotationLambdaARN: functionArns.pg }));
    const record = await aws.waitForRotation('rs-hostile', { timeoutMs: 30_000 });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/createSecret/);
    expect((await current('rs-hostile')).username).toBe(hostile);
    expect(await canLogin(url, 'victim_user', 'Victim1Password')).toBe(true);
    const failed = aws
      .invocations()
      .filter((i) => i.secretId?.includes('rs-hostile') && i.outcome === 'failed');
    expect(failed[0]?.errorType).toBe('InvalidSecretError');
  });

  it('looks up a Redshift-managed admin secret through the Redshift API (lazy chunk), never trusting the user secret', async () => {
    await createLogin('rs_managed', 'Managed1Password');
    const admin = await sm.send(
      new CreateSecretCommand({
        Name: 'rs-managed-admin',
        SecretString: JSON.stringify({ username: server.user, password: server.password }),
        Tags: [
          {
            Key: 'aws:redshift:primaryclusterarn',
            Value: 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics',
          },
        ],
      }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: 'rs-managed',
        SecretString: secretValue('rs_managed', 'Managed1Password', { masterarn: admin.ARN }),
      }),
    );
    await sm.send(new RotateSecretCommand({ SecretId: 'rs-managed', RotationLambdaARN: functionArns.pg }));
    const record = await aws.waitForRotation('rs-managed', { timeoutMs: 30_000 });
    // The local endpoint has no Redshift control plane: the lookup is attempted and fails, so the
    // admin password is never sent to the host the rotated secret names.
    expect(record.status).toBe('failed');
    const failed = aws
      .invocations()
      .filter((i) => i.secretId?.includes('rs-managed') && i.outcome === 'failed');
    expect(failed.at(-1)?.step).toBe('setSecret');
    expect(failed.at(-1)?.errorMessage).toMatch(/look up cluster analytics/);
    expect(await canLogin(url, 'rs_managed_clone', 'Managed1Password')).toBe(false);
  });

  it('never lets a clear-text password reach the server log or the function logs', () => {
    const serverLog = server.output();
    for (const prefix of Object.values(PREFIX)) {
      expect(serverLog).toMatch(new RegExp(`ALTER USER "${prefix}_single" PASSWORD 'md5[0-9a-f]{32}'`));
      expect(serverLog).toMatch(new RegExp(`CREATE USER "${prefix}_app_clone" PASSWORD 'md5[0-9a-f]{32}'`));
    }
    const functionLogs = aws
      .invocations()
      .map((i) => i.logs)
      .join('\n');
    expect(functionLogs).toMatch(/finishSecret finished/);
    // One structured line per event, with the invocation's request id and the rotation's keys.
    const finished = functionLogs.split('\n').find((line) => line.includes('finishSecret finished'))!;
    expect(JSON.parse(finished.slice(finished.indexOf('{')))).toMatchObject({
      level: 'INFO',
      service: 'rotor-redshift-rotation',
      function_request_id: expect.any(String),
      engineId: 'redshift',
      step: 'finishSecret',
    });
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const succeeded = aws.invocations().filter((i) => i.outcome === 'succeeded');
    console.info(
      `invocations: ${succeeded.length} succeeded; median handler duration ${median(succeeded.map((i) => i.durationMs))} ms, ` +
        `longest ${Math.max(...succeeded.map((i) => i.durationMs))} ms; median cold-start init ` +
        `${median(succeeded.filter((i) => i.initDurationMs > 0).map((i) => i.initDurationMs))} ms (local processes)`,
    );
    expect(passwordsSeen.size).toBeGreaterThan(6);
    for (const password of passwordsSeen) {
      expect(serverLog).not.toContain(password);
      expect(functionLogs).not.toContain(password);
    }
  });
});
