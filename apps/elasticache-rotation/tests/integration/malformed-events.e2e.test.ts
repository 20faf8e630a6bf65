import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  aclSnapshot,
  bundlePath,
  type CacheWorld,
  canLogIn,
  createSecret,
  createSeedUser,
  rotateAndWait,
  secretAt,
  startCacheWorld,
  userArnOf,
  versionStages,
} from './support.ts';

/**
 * The built handler, called in-process with events Secrets Manager would never send: each is refused with
 * a clear error and nothing changes, neither in Redis nor in the secret.
 */
let world: CacheWorld;
let handler: (event: unknown) => Promise<void>;
let secretArn: string;
const PASSWORD = 'Malformed-test-password-1';

beforeAll(async () => {
  world = await startCacheWorld({ replicationGroups: ['cache-1'] });
  const { aws, sm, ec } = world;
  await createSeedUser(ec, 'steady1', {
    NoPasswordRequired: false,
    Passwords: [PASSWORD],
    AccessString: 'on ~keys* +get',
  });
  await world.join('steady1', 'cache-1');
  secretArn = await createSecret(sm, 'production/ec/steady1', {
    user_arn: userArnOf(aws, 'steady1'),
    username: 'steady1',
    password: PASSWORD,
  });
  // Rotation turned on as an operator does it (RotateSecret; RotateImmediately=false only tests the
  // current value): the function refuses secrets whose rotation is not enabled.
  const fn = aws.registerFunction({
    functionName: 'rotor-ec-malformed',
    bundlePath,
    timeoutSeconds: 30,
    environment: world.functionEnvironment,
  });
  expect(await rotateAndWait(aws, sm, secretArn, fn.functionArn, { rotateImmediately: false })).toMatchObject(
    {
      status: 'succeeded',
    },
  );
  // The function's environment, as the local endpoint gives it to registered functions.
  vi.stubEnv('ROTOR_CACHE_CA_FILE', world.servers.caFile);
  vi.stubEnv('AWS_ENDPOINT_URL', aws.endpoint);
  vi.stubEnv('AWS_REGION', aws.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', aws.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', aws.credentials.secretAccessKey);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('USER_NAME', 'steady1');
  handler = (await import(`${pathToFileURL(bundlePath).href}?malformed-events`)).handler;
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await world?.stop();
});

describe('malformed events change nothing', () => {
  it.each([
    ['not an object', 'createSecret', 'INVALID_EVENT'],
    ['an unknown step', 'dropTables', 'INVALID_EVENT'],
    ['a token that is no version of the secret', 'setSecret', 'INVALID_VERSION_STAGE'],
    ['a secret that does not exist', 'createSecret', 'SECRET_STORE_FAILED'],
  ])('%s', async (label, step, code) => {
    const { sm } = world;
    const aclBefore = await aclSnapshot(world.admin('cache-1'));
    const stagesBefore = await versionStages(sm, secretArn);
    const event =
      label === 'not an object'
        ? 'createSecret'
        : {
            Step: step,
            SecretId: label === 'a secret that does not exist' ? `${secretArn}-missing` : secretArn,
            ClientRequestToken: 'f0e1d2c3-b4a5-4968-8776-655443322110',
          };
    await expect(handler(event)).rejects.toMatchObject({ code });
    expect(await aclSnapshot(world.admin('cache-1'))).toEqual(aclBefore);
    expect(await versionStages(sm, secretArn)).toEqual(stagesBefore);
    expect(await secretAt(sm, secretArn, 'AWSCURRENT')).toMatchObject({ password: PASSWORD });
    expect(await canLogIn(world.cache('cache-1'), 'steady1', PASSWORD)).toBe(true);
  });

  it('a step for the version that is already AWSCURRENT is a no-op', async () => {
    const { sm } = world;
    const aclBefore = await aclSnapshot(world.admin('cache-1'));
    const stages = await versionStages(sm, secretArn);
    const currentVersion = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))![0];
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await handler({ Step, SecretId: secretArn, ClientRequestToken: currentVersion });
    }
    expect(await aclSnapshot(world.admin('cache-1'))).toEqual(aclBefore);
    expect(await versionStages(sm, secretArn)).toEqual(stages);
  });
});
