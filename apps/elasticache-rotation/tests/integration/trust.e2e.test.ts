import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type RecordingListener, startRecordingListener } from '@rotor/local-aws/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aclSnapshot,
  bundlePath,
  type CacheWorld,
  canLogIn,
  createSecret,
  createSeedUser,
  describeUser,
  logsOf,
  rotateAndWait,
  secretAt,
  startCacheWorld,
  userArnOf,
  versionStages,
} from './support.ts';

/**
 * The attacks of issue 13 that apply to ElastiCache, each against the built bundle: whoever can write the
 * secret cannot redirect the new password or turn TLS off; ARNs outside the function's account and region
 * are refused; a login test that cannot log in anywhere fails the rotation unless explicitly turned off;
 * every TLS downgrade is named at cold start and warned about on every invocation.
 */
let world: CacheWorld;
/** Nothing listens here: the reported endpoint of the `island` cache, which this function cannot reach. */
let unreachable: RecordingListener;

beforeAll(async () => {
  unreachable = await startRecordingListener();
  const port = unreachable.port;
  await unreachable.close();
  world = await startCacheWorld(
    { replicationGroups: ['cache-1', 'island'] },
    {
      rotation: { maxAttempts: 1, retryDelayMs: 50 },
      reportedEndpoints: { island: { host: '127.0.0.1', port } },
    },
  );
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

const PASSWORD = 'Trusted-password-00001';

function rotationFunction(name: string, environment: Record<string, string> = {}) {
  return world.aws.registerFunction({
    functionName: name,
    bundlePath,
    timeoutSeconds: 60,
    environment: { WAITING_RETRY_INTERVAL_IN_SECONDS: '0.2', ...world.functionEnvironment, ...environment },
  });
}

/** A user with PASSWORD, switched on, in the user group of `cacheId`. */
async function activeUser(userId: string, cacheId: string) {
  await createSeedUser(world.ec, userId, {
    NoPasswordRequired: false,
    Passwords: [PASSWORD],
    AccessString: 'on ~keys* +get',
  });
  await world.join(userId, cacheId);
}

/** The rotation failed at `step` and changed nothing: ACL, AWSCURRENT, and an AWSPENDING left without a value. */
async function expectRefusedAndUnchanged(
  secretArn: string,
  functionName: string,
  before: { acl: string[]; current: Record<string, unknown> },
  expected: { step: string; errorType: string; message: RegExp },
) {
  const failure = world.aws
    .invocations()
    .find((invocation) => invocation.functionName === functionName && invocation.outcome === 'failed');
  expect(failure).toMatchObject({ step: expected.step, errorType: expected.errorType });
  expect(failure?.errorMessage).toMatch(expected.message);
  expect(await aclSnapshot(world.admin('cache-1'))).toEqual(before.acl);
  expect(await secretAt(world.sm, secretArn, 'AWSCURRENT')).toEqual(before.current);
  expect(Object.values(await versionStages(world.sm, secretArn))).toContainEqual(['AWSPENDING']);
  await expect(
    world.sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING' })),
  ).rejects.toHaveProperty('name', 'ResourceNotFoundException');
}

describe('whoever can write the secret cannot redirect or downgrade the rotation', () => {
  it('a secret carrying a fake host, port and tls:false sends no password there; the rotation fails clearly', async () => {
    const fake = await startRecordingListener();
    try {
      await activeUser('steered', 'cache-1');
      const secretArn = await createSecret(world.sm, 'attack/steered', {
        username: 'steered',
        user_arn: userArnOf(world.aws, 'steered'),
        password: PASSWORD,
        host: fake.host,
        port: fake.port,
        tls: false,
      });
      const before = {
        acl: await aclSnapshot(world.admin('cache-1')),
        current: await secretAt(world.sm, secretArn, 'AWSCURRENT'),
      };
      const fn = rotationFunction('rotor-ec-steered', { ROTOR_STRATEGY: 'dual-password' });
      expect(await rotateAndWait(world.aws, world.sm, secretArn, fn.functionArn)).toMatchObject({
        status: 'failed',
      });
      expect(fake.seen()).toEqual({ connections: 0, bytes: 0 });
      await expectRefusedAndUnchanged(secretArn, 'rotor-ec-steered', before, {
        step: 'createSecret',
        errorType: 'InvalidSecretError',
        message: /host 127\.0\.0\.1:\d+ is not an endpoint this function trusts.*no password was sent/,
      });
      expect(await canLogIn(world.cache('cache-1'), 'steered', PASSWORD)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it.each([
    ['another account', (region: string) => `arn:aws:elasticache:${region}:999999999999:user:twin`],
    ['another region', () => 'arn:aws:elasticache:eu-central-1:123456789012:user:twin'],
  ])('a user_arn in %s is refused, and the same-named user here is untouched', async (label, arnFor) => {
    if (!(await describeUser(world.ec, 'twin').catch(() => undefined))) await activeUser('twin', 'cache-1');
    const secretArn = await createSecret(world.sm, `attack/twin-${label.replace(/ /g, '-')}`, {
      username: 'twin',
      user_arn: arnFor(world.aws.region),
      password: PASSWORD,
    });
    const before = {
      acl: await aclSnapshot(world.admin('cache-1')),
      current: await secretAt(world.sm, secretArn, 'AWSCURRENT'),
    };
    const name = `rotor-ec-twin-${label.replace(/ /g, '-')}`;
    const fn = rotationFunction(name);
    world.aws.resetApiCalls();
    expect(await rotateAndWait(world.aws, world.sm, secretArn, fn.functionArn)).toMatchObject({
      status: 'failed',
    });
    await expectRefusedAndUnchanged(secretArn, name, before, {
      step: 'createSecret',
      errorType: 'InvalidSecretError',
      message: /"user_arn" is outside this function's scope/,
    });
    // Refused before any ElastiCache call.
    expect(world.aws.apiCalls().elasticache ?? {}).toEqual({});
    expect(await canLogIn(world.cache('cache-1'), 'twin', PASSWORD)).toBe(true);
  });

  it('with no route to the cache the rotation fails while the login test is required; ROTOR_LOGIN_TEST=off accepts it, with warnings', async () => {
    for (const userId of ['islander', 'islander-off']) await activeUser(userId, 'island');
    const required = await createSecret(world.sm, 'attack/islander', {
      username: 'islander',
      user_arn: userArnOf(world.aws, 'islander'),
      password: PASSWORD,
    });
    const strict = rotationFunction('rotor-ec-island-required');
    expect(await rotateAndWait(world.aws, world.sm, required, strict.functionArn)).toMatchObject({
      status: 'failed',
    });
    const failure = world.aws
      .invocations()
      .find(
        (invocation) =>
          invocation.functionName === 'rotor-ec-island-required' && invocation.outcome === 'failed',
      );
    expect(failure).toMatchObject({ step: 'testSecret', errorType: 'LoginTestUnavailableError' });
    expect(failure?.errorMessage).toMatch(/cannot reach replication group island from here/);
    expect((await secretAt(world.sm, required, 'AWSCURRENT')).password).toBe(PASSWORD);

    const optedOut = await createSecret(world.sm, 'attack/islander-off', {
      username: 'islander-off',
      user_arn: userArnOf(world.aws, 'islander-off'),
      password: PASSWORD,
    });
    const lenient = rotationFunction('rotor-ec-island-off', { ROTOR_LOGIN_TEST: 'off' });
    expect(await rotateAndWait(world.aws, world.sm, optedOut, lenient.functionArn)).toMatchObject({
      status: 'succeeded',
    });
    const logs = logsOf(world.aws, 'rotor-ec-island-off');
    expect(logs).toMatch(/"level":"INFO","message":"ElastiCache rotation function ready".*"loginTest":"off"/);
    expect(logs).toMatch(/"level":"WARN","message":"The login test is off \(ROTOR_LOGIN_TEST=off\)/);
  });
});

describe('every TLS downgrade is loud', () => {
  it.each([
    {
      setting: 'ROTOR_CACHE_TLS_VERIFY=false',
      // A user in the cache's group: the login test really connects, over TLS without verification.
      prepare: async () => {
        await activeUser('loose', 'cache-1');
        return { username: 'loose', user_arn: userArnOf(world.aws, 'loose'), password: PASSWORD };
      },
      environment: () => ({ ROTOR_CACHE_TLS_VERIFY: 'false' }),
      connection: 'cache data plane (endpoints from the control plane)',
      transport: 'unverified-tls',
      warning: 'TLS without certificate verification',
    },
    {
      setting: 'ROTOR_CACHE_TLS=false',
      // The seed user (off, in no user group): nothing can log in as it, so no password is sent anywhere.
      prepare: async () => {
        await createSeedUser(world.ec, 'plainseed');
        return { username: 'plainseed', user_arn: userArnOf(world.aws, 'plainseed') };
      },
      environment: () => ({
        ROTOR_CACHE_HOST: '127.0.0.1',
        ROTOR_CACHE_PORT: String(world.cache('cache-1').port),
        ROTOR_CACHE_TLS: 'false',
      }),
      connection: 'cache data plane (ROTOR_CACHE_HOST)',
      transport: 'plaintext',
      warning: 'no TLS (passwords in clear text)',
    },
  ])('$setting: named in the cold-start line, a warning on every invocation', async (downgrade) => {
    const secret = await downgrade.prepare();
    const secretArn = await createSecret(world.sm, `downgrade/${secret.username}`, secret);
    const name = `rotor-ec-downgrade-${secret.username}`;
    const fn = rotationFunction(name, downgrade.environment());
    expect(await rotateAndWait(world.aws, world.sm, secretArn, fn.functionArn)).toMatchObject({
      status: 'succeeded',
    });
    const invocations = world.aws.invocations().filter((invocation) => invocation.functionName === name);
    expect(invocations).toHaveLength(4);
    expect(invocations[0]?.logs).toContain(
      `"name":"${downgrade.connection}","transport":"${downgrade.transport}","setting":"${downgrade.setting}"`,
    );
    for (const invocation of invocations) {
      expect(invocation.logs).toContain(
        `"level":"WARN","message":"TLS downgrade: the ${downgrade.connection} connection uses ${downgrade.warning} because of ${downgrade.setting}"`,
      );
    }
  });
});
