import { DescribeUserGroupsCommand } from '@aws-sdk/client-elasticache';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aclSnapshot,
  bundlePath,
  type CacheWorld,
  canLogIn,
  createSecret,
  createSeedUser,
  describeUser,
  logsOf as logsOfIn,
  rotateAndWait,
  secretAt,
  startCacheWorld,
  userArnOf,
  versionStages,
} from './support.ts';

/**
 * End to end, as AWS's page describes it: the built bundle is the rotation function of a local Secrets
 * Manager; ElastiCache users live as ACL users of real TLS redis-servers (the caches), which they reach only
 * through the user group associated with each cache; every check logs in with AUTH.
 */
let world: CacheWorld;
let sm: CacheWorld['sm'];
let ec: CacheWorld['ec'];
let aws: CacheWorld['aws'];
/** The main cache, and a second one for users in two user groups. */
let cache: ReturnType<CacheWorld['cache']>;
let cache2: ReturnType<CacheWorld['cache']>;

beforeAll(async () => {
  world = await startCacheWorld(
    { replicationGroups: ['cache-1', 'cache-2'] },
    { modifyingDelayMs: 250, rotation: { maxAttempts: 2, retryDelayMs: 50 } },
  );
  ({ sm, ec, aws } = world);
  cache = world.cache('cache-1');
  cache2 = world.cache('cache-2');
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

const logsOf = (functionName: string) => logsOfIn(aws, functionName);

function rotationFunction(name: string, environment: Record<string, string>) {
  return aws.registerFunction({
    functionName: name,
    bundlePath,
    timeoutSeconds: 60,
    environment: { WAITING_RETRY_INTERVAL_IN_SECONDS: '1', ...world.functionEnvironment, ...environment },
  });
}

/** Logs in again and again, each time with a fresh connection and the AWSCURRENT secret, as a client would. */
function startClientLoop(secretId: string) {
  let running = true;
  const result = { attempts: 0, failures: 0 };
  const done = (async () => {
    while (running) {
      const current = await secretAt(sm, secretId, 'AWSCURRENT');
      result.attempts += 1;
      if (!(await canLogIn(cache, current.username, current.password))) result.failures += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}

interface Credential {
  username: string;
  password: string | undefined;
}

/** Three rotations; after each, the promises of the strategy about the current, previous and older credentials. */
async function rotateThreeTimes(options: {
  secretArn: string;
  functionArn: string;
  previousStillWorks: boolean;
  measureFromFirst: boolean;
}) {
  const history: Credential[] = [];
  const initial = await secretAt(sm, options.secretArn, 'AWSCURRENT');
  history.push({ username: initial.username, password: initial.password });
  let loop = options.measureFromFirst ? startClientLoop(options.secretArn) : undefined;
  for (let rotation = 1; rotation <= 3; rotation += 1) {
    const outcome = await rotateAndWait(aws, sm, options.secretArn, options.functionArn);
    expect(outcome, `rotation ${rotation}`).toMatchObject({ status: 'succeeded' });
    const current = await secretAt(sm, options.secretArn, 'AWSCURRENT');
    expect(current.password).toBeDefined();
    history.push({ username: current.username, password: current.password });
    const latest = history[history.length - 1]!;
    const previous = history[history.length - 2]!;
    const older = history[history.length - 3];
    expect(
      await canLogIn(cache, latest.username, latest.password),
      `new password, rotation ${rotation}`,
    ).toBe(true);
    if (previous.password !== undefined) {
      expect(
        await canLogIn(cache, previous.username, previous.password),
        `previous, rotation ${rotation}`,
      ).toBe(options.previousStillWorks);
    }
    if (older?.password !== undefined) {
      expect(
        await canLogIn(cache, older.username, older.password),
        `before previous, rotation ${rotation}`,
      ).toBe(false);
    }
    loop ??= startClientLoop(options.secretArn);
  }
  const loopResult = await loop!.stop();
  return { history, loopResult };
}

/** No password any rotation produced appears in what the function logged or threw. */
function expectNoPasswordIn(text: string, history: Credential[]) {
  const passwords = history.map((credential) => credential.password).filter((p): p is string => !!p);
  expect(passwords.length).toBeGreaterThanOrEqual(3);
  for (const password of passwords)
    expect(text.includes(password), 'a password in the function logs').toBe(false);
}

describe('ElastiCache rotation Lambda, end to end', () => {
  it('dual-password: the seed workflow as written, then [pending, current] with zero failed logins', async () => {
    await createSeedUser(ec, 'user1');
    // The operator lets the user reach the cache: into the user group the cache holds (RBAC guide).
    await world.join('user1', 'cache-1');
    const secretArn = await createSecret(sm, 'production/ec/user1', {
      user_arn: userArnOf(aws, 'user1'),
      username: 'user1',
    });
    // No cache host configured: the function finds the cache through the control plane.
    const fn = rotationFunction('rotor-ec-dual', {
      SECRET_ARN: secretArn,
      USER_NAME: 'user1',
      ROTOR_STRATEGY: 'dual-password',
      ROTOR_ENABLE_DISABLED_USER: 'true',
    });
    const { history, loopResult } = await rotateThreeTimes({
      secretArn,
      functionArn: fn.functionArn,
      previousStillWorks: true,
      measureFromFirst: false,
    });
    expect(loopResult.attempts).toBeGreaterThan(5);
    expect(loopResult.failures).toBe(0);
    const user = await describeUser(ec, 'user1');
    expect(user).toMatchObject({ Status: 'active', Authentication: { Type: 'password', PasswordCount: 2 } });
    expect(user?.AccessString?.split(' ')[0]).toBe('on');
    // The login test really ran in testSecret (AUTH as the pending user), it was not skipped.
    const logs = logsOf('rotor-ec-dual');
    expect(logs).not.toContain('skipped');
    expect(logs).not.toMatch(/"level":"WARN".*cache data plane/);
    expectNoPasswordIn(logs, history);
    const coldStarts = aws
      .invocations()
      .filter((invocation) => invocation.functionName === 'rotor-ec-dual' && invocation.initDurationMs > 0)
      .map((invocation) => invocation.initDurationMs)
      .sort((a, b) => a - b);
    console.info(
      `bundle init (cold start) on this machine: median ${coldStarts[Math.floor(coldStarts.length / 2)]} ms over ${coldStarts.length}`,
    );
  });

  it('the seed workflow with default settings: rotates, leaves the user off, and the login test says it is disabled', async () => {
    await createSeedUser(ec, 'user2');
    const secretArn = await createSecret(sm, 'production/ec/user2', {
      user_arn: userArnOf(aws, 'user2'),
      username: 'user2',
    });
    const fn = rotationFunction('rotor-ec-seed-defaults', { SECRET_ARN: secretArn, USER_NAME: 'user2' });
    expect(await rotateAndWait(aws, sm, secretArn, fn.functionArn)).toMatchObject({ status: 'succeeded' });
    const current = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(current.password).toHaveLength(32);
    const user = await describeUser(ec, 'user2');
    expect(user).toMatchObject({ Authentication: { Type: 'password', PasswordCount: 1 } });
    expect(user?.AccessString?.split(' ')[0]).toBe('off');
    // Disabled by the operator (and in no user group): AUTH is refused until they switch it on.
    expect(await canLogIn(cache, 'user2', current.password)).toBe(false);
    // The login test is required, and passes: nothing can log in as a switched-off user (from the control plane).
    expect(logsOf('rotor-ec-seed-defaults')).toMatch(/disabled: user \\?"user2\\?" is switched off/);
  });

  it('single-user: only the new password works after each rotation', async () => {
    await createSeedUser(ec, 'single1');
    await world.join('single1', 'cache-1');
    // The secret names the cache (a trusted endpoint) and says tls: false, which must not turn TLS off.
    const secretArn = await createSecret(sm, 'production/ec/single1', {
      user_arn: userArnOf(aws, 'single1'),
      username: 'single1',
      host: '127.0.0.1',
      port: cache.port,
      tls: false,
    });
    const fn = rotationFunction('rotor-ec-single', {
      SECRET_ARN: secretArn,
      USER_NAME: 'single1',
      ROTOR_STRATEGY: 'single-user',
      ROTOR_ENABLE_DISABLED_USER: 'true',
    });
    const { history, loopResult } = await rotateThreeTimes({
      secretArn,
      functionArn: fn.functionArn,
      previousStillWorks: false,
      measureFromFirst: false,
    });
    expect(loopResult.attempts).toBeGreaterThan(5);
    expect(await describeUser(ec, 'single1')).toMatchObject({ Authentication: { PasswordCount: 1 } });
    const logs = logsOf('rotor-ec-single');
    expect(logs).toMatch(/"level":"WARN".*tls\\": false is ignored/);
    expectNoPasswordIn(logs, history);
    // Reported, not asserted: single-user has a window between setSecret and finishSecret.
    console.info(`single-user client loop: ${loopResult.failures} failed of ${loopResult.attempts} logins`);
  });

  it('alternating-users straight from the seed secret (a user with no password yet)', async () => {
    await createSeedUser(ec, 'seedalt', { AccessString: 'on ~keys* +get' });
    await world.join('seedalt', 'cache-1');
    const secretArn = await createSecret(sm, 'production/ec/seedalt', {
      user_arn: userArnOf(aws, 'seedalt'),
      username: 'seedalt',
      host: '127.0.0.1',
      port: String(cache.port),
    });
    const fn = rotationFunction('rotor-ec-seed-alternating', {
      SECRET_ARN: secretArn,
      USER_NAME: 'seedalt',
      ROTOR_STRATEGY: 'alternating-users',
    });
    expect(await rotateAndWait(aws, sm, secretArn, fn.functionArn)).toMatchObject({ status: 'succeeded' });
    const first = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(first.username).toBe('seedalt-clone');
    expect(await canLogIn(cache, 'seedalt-clone', first.password)).toBe(true);
    expect(await canLogIn(cache, 'seedalt-clone', `${first.password}x`)).toBe(false);
    // The next rotation gives the original user its first password.
    expect(await rotateAndWait(aws, sm, secretArn, fn.functionArn)).toMatchObject({ status: 'succeeded' });
    const second = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(second.username).toBe('seedalt');
    expect(await canLogIn(cache, 'seedalt', second.password)).toBe(true);
    expect(await canLogIn(cache, 'seedalt-clone', first.password)).toBe(true);
    expect(await canLogIn(cache, 'seedalt', first.password)).toBe(false);
  });

  it('alternating-users: clones the user into both its user groups (two caches), alternates, zero failed logins', async () => {
    const initialPassword = 'Initial-password-0001';
    await createSeedUser(ec, 'app', {
      NoPasswordRequired: false,
      Passwords: [initialPassword],
      AccessString: 'on ~keys* +get',
    });
    await world.join('app', 'cache-1');
    await world.join('app', 'cache-2');
    expect(await canLogIn(cache, 'app', initialPassword)).toBe(true);
    expect(await canLogIn(cache2, 'app', initialPassword)).toBe(true);
    const secretArn = await createSecret(sm, 'production/ec/app', {
      user_arn: userArnOf(aws, 'app'),
      username: 'app',
      password: initialPassword,
      team: 'payments',
    });
    const fn = rotationFunction('rotor-ec-alternating', {
      SECRET_ARN: secretArn,
      USER_NAME: 'app',
      ROTOR_STRATEGY: 'alternating-users',
    });
    const { history, loopResult } = await rotateThreeTimes({
      secretArn,
      functionArn: fn.functionArn,
      previousStillWorks: true,
      measureFromFirst: true,
    });
    expect(history.map((credential) => credential.username)).toEqual([
      'app',
      'app-clone',
      'app',
      'app-clone',
    ]);
    expect(loopResult.attempts).toBeGreaterThan(5);
    expect(loopResult.failures).toBe(0);
    const [source, clone] = [await describeUser(ec, 'app'), await describeUser(ec, 'app-clone')];
    expect(clone).toMatchObject({
      Engine: source?.Engine,
      AccessString: source?.AccessString,
      Status: 'active',
    });
    for (const groupId of ['cache-1-users', 'cache-2-users']) {
      const group = (await ec.send(new DescribeUserGroupsCommand({ UserGroupId: groupId }))).UserGroups?.[0];
      expect(group?.UserIds).toEqual(expect.arrayContaining(['default', 'app', 'app-clone']));
    }
    const current = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(current).toMatchObject({ team: 'payments', user_arn: userArnOf(aws, 'app-clone') });
    // The clone logs in at both caches; a wrong password does not.
    expect(await canLogIn(cache2, current.username, current.password)).toBe(true);
    expect(await canLogIn(cache2, current.username, `${current.password}x`)).toBe(false);
    expectNoPasswordIn(logsOf('rotor-ec-alternating'), history);
  });
});

describe('endpoints', () => {
  it('honours SECRETS_MANAGER_ENDPOINT and AWS_ENDPOINT_URL_ELASTICACHE over a dead AWS_ENDPOINT_URL', async () => {
    await createSeedUser(ec, 'endpoints1');
    await world.join('endpoints1', 'cache-1');
    const secretArn = await createSecret(sm, 'production/ec/endpoints1', {
      user_arn: userArnOf(aws, 'endpoints1'),
      username: 'endpoints1',
    });
    const fn = rotationFunction('rotor-ec-endpoints', {
      // Nothing listens on port 9: only the service-specific settings can make this rotation work.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      SECRETS_MANAGER_ENDPOINT: aws.endpoint,
      AWS_ENDPOINT_URL_ELASTICACHE: aws.endpoint,
      ROTOR_ENABLE_DISABLED_USER: 'true',
    });
    expect(await rotateAndWait(aws, sm, secretArn, fn.functionArn)).toMatchObject({ status: 'succeeded' });
    const current = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(await canLogIn(cache, 'endpoints1', current.password)).toBe(true);
  });
});

describe('operator mistakes and bad input change nothing', () => {
  async function expectFailedRotationChangedNothing(
    secretArn: string,
    functionName: string,
    environment: Record<string, string>,
    expectedMessage: RegExp,
  ) {
    const fn = rotationFunction(functionName, environment);
    await aws.elasticache!.settled();
    const aclBefore = await aclSnapshot(world.admin('cache-1'));
    const currentBefore = await secretAt(sm, secretArn, 'AWSCURRENT');
    const outcome = await rotateAndWait(aws, sm, secretArn, fn.functionArn);
    expect(outcome.status).toBe('failed');
    const failures = aws
      .invocations()
      .filter((i) => i.functionName === functionName && i.outcome === 'failed');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((failure) => failure.step === 'createSecret')).toBe(true);
    expect(failures[0]?.errorMessage).toMatch(expectedMessage);
    expect(await aclSnapshot(world.admin('cache-1'))).toEqual(aclBefore);
    expect(await secretAt(sm, secretArn, 'AWSCURRENT')).toEqual(currentBefore);
    // The rotation's version is left AWSPENDING without a value, for the operator to retry once fixed.
    const stages = await versionStages(sm, secretArn);
    expect(Object.values(stages)).toContainEqual(['AWSPENDING']);
    return failures[0]!;
  }

  it('a user that does not exist: USER_NOT_FOUND, AWSPENDING left, nothing changed', async () => {
    const secretArn = await createSecret(sm, 'production/ec/ghost', {
      user_arn: userArnOf(aws, 'ghost'),
      username: 'ghost',
    });
    const failure = await expectFailedRotationChangedNothing(
      secretArn,
      'rotor-ec-ghost',
      { SECRET_ARN: secretArn, USER_NAME: 'ghost' },
      /ghost.*does not exist/,
    );
    expect(failure.errorType).toBe('UserNotFoundError');
  });

  it('a user_arn that does not parse', async () => {
    await createSeedUser(ec, 'bad-arn');
    const secretArn = await createSecret(sm, 'production/ec/bad-arn', {
      user_arn: 'arn:aws:elasticache:us-east-1:123456789012:bad-arn',
      username: 'bad-arn',
    });
    const failure = await expectFailedRotationChangedNothing(secretArn, 'rotor-ec-bad-arn', {}, /user_arn/);
    expect(failure.errorType).toBe('InvalidSecretError');
  });

  it('a username that is not the user behind user_arn', async () => {
    await createSeedUser(ec, 'victim', {
      NoPasswordRequired: false,
      Passwords: ['Victim-password-0001'],
      AccessString: 'on ~* +@all',
    });
    await world.join('victim', 'cache-1');
    const secretArn = await createSecret(sm, 'production/ec/mismatch', {
      user_arn: userArnOf(aws, 'victim'),
      username: 'someone',
    });
    await expectFailedRotationChangedNothing(secretArn, 'rotor-ec-mismatch', {}, /user name is "victim"/);
    expect(await canLogIn(cache, 'victim', 'Victim-password-0001')).toBe(true);
  });

  it.each([
    ['not JSON', () => 'user_arn=arn:aws:elasticache:us-east-1:123456789012:user:shape1', /not valid JSON/],
    ['a JSON array', () => '["shape1"]', /must be a JSON object/],
    ['no user_arn', () => JSON.stringify({ username: 'shape1' }), /user_arn/],
    [
      'a password that is not a string',
      () => JSON.stringify({ username: 'shape1', user_arn: userArnOf(aws, 'shape1'), password: 42 }),
      /password/,
    ],
    [
      'a username with a space',
      () => JSON.stringify({ username: 'shape 1', user_arn: userArnOf(aws, 'shape1') }),
      /username/,
    ],
  ])('a malformed secret: %s', async (label, secretString, message) => {
    if (!(await describeUser(ec, 'shape1').catch(() => undefined))) await createSeedUser(ec, 'shape1');
    await aws.elasticache!.settled();
    const value = secretString();
    const name = `production/ec/shape-${label.replace(/[^a-z]+/gi, '-')}`;
    const secretArn = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN!;
    const fnName = `rotor-ec-shape-${label.replace(/[^a-z]+/gi, '-')}`.slice(0, 64);
    const aclBefore = await aclSnapshot(world.admin('cache-1'));
    const stagesBefore = Object.keys(await versionStages(sm, secretArn));
    const fn = rotationFunction(fnName, {});
    const outcome = await rotateAndWait(aws, sm, secretArn, fn.functionArn);
    expect(outcome.status).toBe('failed');
    const failure = aws.invocations().find((i) => i.functionName === fnName && i.outcome === 'failed');
    expect(failure).toMatchObject({ step: 'createSecret', errorType: 'InvalidSecretError' });
    expect(failure?.errorMessage).toMatch(message);
    expect(await aclSnapshot(world.admin('cache-1'))).toEqual(aclBefore);
    // The operator's value is untouched; only the rotation's empty AWSPENDING version was added.
    const current = await sm.send(
      new (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({ SecretId: secretArn }),
    );
    expect(current.SecretString).toBe(value);
    const stagesAfter = await versionStages(sm, secretArn);
    expect(
      Object.keys(stagesAfter)
        .filter((id) => !stagesBefore.includes(id))
        .map((id) => stagesAfter[id]),
    ).toEqual([['AWSPENDING']]);
  });

  it('a secret other than SECRET_ARN', async () => {
    await createSeedUser(ec, 'other1');
    const secretArn = await createSecret(sm, 'production/ec/other1', {
      user_arn: userArnOf(aws, 'other1'),
      username: 'other1',
    });
    const failure = await expectFailedRotationChangedNothing(
      secretArn,
      'rotor-ec-wrong-secret',
      { SECRET_ARN: `${secretArn}-not-this-one`, USER_NAME: 'other1' },
      /SECRET_ARN/,
    );
    expect(failure.errorType).toBe('InvalidConfigurationError');
  });
});
