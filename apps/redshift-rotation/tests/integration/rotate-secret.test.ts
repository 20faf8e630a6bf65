/**
 * End to end: the built bundle registered as a rotation function in the local AWS endpoint, RotateSecret
 * through the real SDK, a real PostgreSQL (md5 authentication) standing in for Redshift cluster "analytics",
 * whose endpoint the functions learn from the local DescribeClusters. Both strategies over both transports,
 * three rotations each, real logins with negative controls, a client loop that follows AWSCURRENT, and the
 * secret-material scan: the server's statement log (log_statement=all), the function logs and the Data API
 * statement history.
 */
import {
  DescribeStatementCommand,
  ListStatementsCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
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
let unprovenFunctionArn = '';
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

/** A password change as the engine writes it: the only place an md5 hash may appear. */
const PASSWORD_STATEMENT = /(?:ALTER|CREATE) USER "[^"]+" PASSWORD 'md5[0-9a-f]{32}'/g;

/** Username and password of every version of every secret in the local Secrets Manager. */
async function everyVersionCredential(): Promise<Array<{ username: string; password: string }>> {
  const found: Array<{ username: string; password: string }> = [];
  const { SecretList = [] } = (await aws.secretsManager.call('ListSecrets', { MaxResults: 100 })) as {
    SecretList?: Array<{ ARN: string }>;
  };
  for (const secret of SecretList) {
    const versions = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: secret.ARN, IncludeDeprecated: true }),
    );
    for (const version of versions.Versions ?? []) {
      const value = await sm
        .send(new GetSecretValueCommand({ SecretId: secret.ARN, VersionId: version.VersionId }))
        .catch(() => undefined);
      try {
        const parsed = JSON.parse(value?.SecretString ?? '') as { username?: unknown; password?: unknown };
        if (typeof parsed.password === 'string' && typeof parsed.username === 'string') {
          found.push({ username: parsed.username, password: parsed.password });
        }
      } catch {
        // Not a JSON secret (the malformed-secret test): no password to look for.
      }
    }
  }
  return found;
}

/** Every statement the Data API keeps (ListStatements, every status), described in full. */
async function dataApiHistory() {
  const data = new RedshiftDataClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  try {
    const statements: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await data.send(
        new ListStatementsCommand({
          Status: 'ALL',
          MaxResults: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const listed of page.Statements ?? []) {
        statements.push(listed, await data.send(new DescribeStatementCommand({ Id: listed.Id })));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    // Every text the history holds (statements, parameters, errors), unescaped.
    const leaves = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(leaves)
          : [];
    const text = leaves(statements).join('\n');
    const passwordStatementsByUser: Record<string, number> = {};
    const described = statements.filter((_, index) => index % 2 === 1) as Array<{
      QueryString?: string;
      SubStatements?: Array<{ QueryString?: string }>;
    }>;
    for (const statement of described) {
      const texts = [statement.QueryString, ...(statement.SubStatements ?? []).map((sub) => sub.QueryString)];
      for (const sql of texts) {
        const user = /^(?:ALTER|CREATE) USER "([^"]+)" PASSWORD 'md5/.exec(sql ?? '')?.[1];
        if (user) passwordStatementsByUser[user] = (passwordStatementsByUser[user] ?? 0) + 1;
      }
    }
    return { statements: described, text, passwordStatementsByUser };
  } finally {
    data.destroy();
  }
}

const THIS_ACCOUNT_CLUSTER = 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics';
const OTHER_ACCOUNT_CLUSTER = 'arn:aws:redshift:us-east-1:999999999999:cluster:analytics';

/** Alternating users with an admin secret as Redshift manages it (no host; the cluster ARN in a tag). */
async function rotateWithManagedAdmin(name: string, user: string, clusterArn: string) {
  const password = `${user.replace('_', '')}Initial1Password`;
  await createLogin(user, password);
  const admin = await sm.send(
    new CreateSecretCommand({
      Name: `${name}-admin`,
      SecretString: JSON.stringify({ username: server.user, password: server.password }),
      Tags: [{ Key: 'aws:redshift:primaryclusterarn', Value: clusterArn }],
    }),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: secretValue(user, password, { masterarn: admin.ARN }),
    }),
  );
  await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArns.pg }));
  return aws.waitForRotation(name, { timeoutMs: 30_000 });
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
  // Every function names its cluster; its endpoint comes from DescribeClusters. TLS is off only because the
  // local PostgreSQL has none (a downgrade the functions log as a warning on every invocation).
  const base = {
    ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: 'analytics',
    ROTOR_REDSHIFT_TLS: 'disable',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  const register = (functionName: string, environment: Record<string, string>) =>
    aws.registerFunction({
      functionName,
      bundlePath,
      handler: 'index.handler',
      timeoutSeconds: 30,
      environment: { ...base, ...environment },
    }).functionArn;
  for (const transport of TRANSPORTS) {
    functionArns[transport] = register(`rotor-redshift-${transport}`, {
      ROTOR_REDSHIFT_TRANSPORT: transport,
    });
  }
  iamFunctionArn = register('rotor-redshift-data-api-iam', {
    ROTOR_REDSHIFT_TRANSPORT: 'data-api',
    ROTOR_REDSHIFT_DATA_API_AUTH: 'temporary-credentials',
  });
  // No route to the cluster: nothing can prove the new passwords, so the opt-out is explicit.
  unprovenFunctionArn = register('rotor-redshift-data-api-unproven', {
    ROTOR_REDSHIFT_TRANSPORT: 'data-api',
    ROTOR_REDSHIFT_LOGIN_CHECK: 'none',
    ROTOR_LOGIN_TEST: 'off',
  });
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
    it('proves every new password with a direct login at the endpoint DescribeClusters reports', () => {
      const logs = aws
        .invocations()
        .filter((i) => i.functionName === 'rotor-redshift-data-api' && i.step === 'testSecret')
        .map((i) => i.logs)
        .join('\n');
      expect(logs).toMatch(/testSecret finished/);
      expect(logs).not.toMatch(/skipped/);
      expect(aws.apiCalls().redshift?.DescribeClusters).toBeGreaterThan(0);
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

  it('without a route to the cluster, rotates only with the login test explicitly off, warning every time', async () => {
    const initial = 'Unproven1Password';
    await createLogin('unproven_single', initial);
    await sm.send(
      new CreateSecretCommand({
        Name: 'unproven-single',
        SecretString: secretValue('unproven_single', initial),
      }),
    );
    await sm.send(
      new RotateSecretCommand({ SecretId: 'unproven-single', RotationLambdaARN: unprovenFunctionArn }),
    );
    const record = await aws.waitForRotation('unproven-single', { timeoutMs: 60_000 });
    expect(record.error).toBeUndefined();
    const value = await current('unproven-single');
    expect(await canLogin(url, 'unproven_single', String(value.password))).toBe(true);
    const testSecret = aws
      .invocations()
      .filter((i) => i.functionName === 'rotor-redshift-data-api-unproven' && i.step === 'testSecret')
      .map((i) => i.logs)
      .join('\n');
    expect(testSecret).toMatch(/"level":"WARN".*The login test is off \(ROTOR_LOGIN_TEST=off\)/);
    expect(testSecret).toMatch(/skipped: the Redshift Data API authenticates with a stored secret/);
  });

  it('warns of the TLS downgrade on every invocation, and names every connection at cold start', () => {
    const pgInvocations = aws.invocations().filter((i) => i.functionName === 'rotor-redshift-pg');
    expect(pgInvocations.length).toBeGreaterThan(4);
    for (const invocation of pgInvocations) {
      expect(invocation.logs).toMatch(
        /"level":"WARN".*TLS downgrade: the Redshift \(pg\) connection uses no TLS \(passwords in clear text\) because of ROTOR_REDSHIFT_TLS=disable/,
      );
    }
    const coldStart = pgInvocations.find((i) => i.coldStart)!.logs;
    expect(coldStart).toMatch(
      /Redshift rotation function ready.*"connections":\[\{"name":"Redshift \(pg\)","transport":"plaintext"/,
    );
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

  it('rotates with a Redshift-managed admin secret of its own cluster, found through DescribeClusters (lazy chunk)', async () => {
    const record = await rotateWithManagedAdmin('rs-managed', 'rs_managed', THIS_ACCOUNT_CLUSTER);
    expect(record.error).toBeUndefined();
    const value = await current('rs-managed');
    expect(value.username).toBe('rs_managed_clone');
    expect(await canLogin(url, 'rs_managed_clone', String(value.password))).toBe(true);
  });

  it("refuses a Redshift-managed admin secret tagged with another account's cluster: no clone, AWSCURRENT kept", async () => {
    const record = await rotateWithManagedAdmin('rs-foreign', 'rs_foreign', OTHER_ACCOUNT_CLUSTER);
    expect(record.status).toBe('failed');
    const failed = aws
      .invocations()
      .filter((i) => i.secretId?.includes('rs-foreign') && i.outcome === 'failed');
    expect(failed.at(-1)).toMatchObject({ step: 'setSecret', errorType: 'InvalidSecretError' });
    expect(failed.at(-1)?.errorMessage).toMatch(/account 999999999999/);
    expect((await current('rs-foreign')).username).toBe('rs_foreign');
    const clone = await superuser(`SELECT 1 FROM pg_user WHERE usename = 'rs_foreign_clone'`);
    expect(clone.rowCount).toBe(0);
  });

  it('keeps every password, and every md5 hash outside its own change, out of the server log, the function logs and the Data API history', async () => {
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

    // Every password of every version of every secret (pending versions of failed rotations included).
    const credentials = await everyVersionCredential();
    for (const credential of credentials) passwordsSeen.add(credential.password);
    expect(passwordsSeen.size).toBeGreaterThan(20);
    const history = await dataApiHistory();
    expect(history.statements.length).toBeGreaterThan(10);

    for (const password of passwordsSeen) {
      expect(serverLog).not.toContain(password);
      expect(functionLogs).not.toContain(password);
      expect(history.text).not.toContain(password);
    }
    // An md5 hash is a login equivalent under md5 authentication: it may appear only inside the one statement
    // that sets it (the server must see it), never in a log line, an error or any other statement.
    const hashes = credentials.map((c) => md5PasswordHash(c.password, c.username));
    const outsideChanges = (text: string) => text.replace(PASSWORD_STATEMENT, '');
    for (const hash of hashes) {
      expect(functionLogs).not.toContain(hash.slice(3));
      expect(outsideChanges(serverLog)).not.toContain(hash.slice(3));
      expect(outsideChanges(history.text)).not.toContain(hash.slice(3));
    }
    // The Data API keeps statement texts for 24 hours: the functions leave one password statement per change
    // in it, and logins add nothing (they are direct, or skipped).
    expect(history.passwordStatementsByUser).toEqual({
      dataapi_single: 3,
      iam_single: 3,
      unproven_single: 1,
      dataapi_app_clone: 2,
      dataapi_app: 1,
    });
  });
});
