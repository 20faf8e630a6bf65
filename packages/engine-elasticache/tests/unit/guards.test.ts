import { randomUUID } from 'node:crypto';
import { ModifyUserCommand } from '@aws-sdk/client-elasticache';
import { RotationError } from '@rotor/core';
import { stepContext } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { arnOf } from './support/fake-elasticache.ts';
import { allPasswords, createWorld } from './support/rotation.ts';

const CURRENT = 'c'.repeat(24);

async function rejection(promise: Promise<unknown>): Promise<RotationError> {
  try {
    await promise;
  } catch (error) {
    if (RotationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the step to fail');
}

/** Runs a rotation that must fail, and asserts it changed nothing: no ElastiCache change, AWSCURRENT as before. */
async function expectRotationRefused(
  world: ReturnType<typeof createWorld>,
  expected: Partial<RotationError>,
) {
  const before = JSON.stringify(world.store.valueAt('AWSCURRENT'));
  const token = randomUUID();
  world.store.startRotation(token);
  let failure: RotationError | undefined;
  for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
    failure = await world.invoke(step, token).then(
      () => undefined,
      (error: unknown) => (RotationError.isInstance(error) ? error : Promise.reject(error)),
    );
    if (failure) break;
  }
  expect(failure).toMatchObject(expected);
  expect(world.elasticache.changes).toEqual([]);
  expect(JSON.stringify(world.store.valueAt('AWSCURRENT'))).toBe(before);
  expect(world.store.versions.get(token)!.stages.includes('AWSPENDING')).toBe(true);
  return { failure: failure!, token };
}

describe("user_arn must lie in the function's partition, account and region", () => {
  const foreign = [
    ['another account', 'arn:aws:elasticache:us-east-1:999999999999:user:user1'],
    ['another region', 'arn:aws:elasticache:eu-west-1:123456789012:user:user1'],
    ['another partition', 'arn:aws-cn:elasticache:us-east-1:123456789012:user:user1'],
  ] as const;

  it.each(foreign)(
    'refuses a user_arn in %s before any ElastiCache call, writing nothing',
    async (_label, userArn) => {
      // The same-named user exists in the function's own account: the old code rotated it.
      const world = createWorld({
        secret: { username: 'user1', user_arn: userArn, password: CURRENT },
      });
      world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
      const { failure } = await expectRotationRefused(world, { code: 'INVALID_SECRET', retryable: false });
      expect(failure.message).toContain('outside this function');
      expect(world.elasticache.mock.calls()).toHaveLength(0);
      expect(world.store.writes).toEqual([]);
      expect(world.elasticache.users.get('user1')!.passwords).toEqual([CURRENT]);
    },
  );

  it.each(foreign)(
    'every engine operation refuses a user_arn in %s before calling anything',
    async (_label, userArn) => {
      const world = createWorld();
      world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
      const secret = { username: 'user1', user_arn: userArn, password: 'n'.repeat(24) };
      const mine = { username: 'user1', user_arn: arnOf('user1'), password: CURRENT };
      const context = stepContext({ step: 'testSecret' });
      const principal = { kind: 'control-plane' } as const;
      const operations = [
        () => world.engine.preflight!({ user: secret }, context),
        () => world.engine.login({ user: secret }, context),
        () => world.engine.setPasswords({ user: secret, passwords: [secret.password], principal }, context),
        () => world.engine.waitUntilApplied({ user: secret }, context),
        () =>
          world.engine.cloneUser(
            { source: mine, target: { ...secret, username: 'user1-clone' }, principal },
            context,
          ),
        () =>
          world.engine.cloneUser(
            { source: secret, target: { ...mine, username: 'user1-clone' }, principal },
            context,
          ),
      ];
      for (const operation of operations) {
        await expect(operation()).rejects.toMatchObject({ code: 'INVALID_SECRET' });
      }
      expect(world.elasticache.mock.calls()).toHaveLength(0);
    },
  );
});

describe('guard rails: bad input changes nothing', () => {
  it('refuses a user_arn that does not parse', async () => {
    const world = createWorld({
      secret: { username: 'user1', user_arn: 'arn:aws:elasticache:us-east-1:123:user1' },
    });
    world.elasticache.addSeedUser();
    const { failure } = await expectRotationRefused(world, { code: 'INVALID_SECRET' });
    expect(failure.message).toContain('user_arn');
    expect(world.store.writes).toEqual([]);
  });

  it('refuses a user that does not exist (UserNotFound), before writing AWSPENDING', async () => {
    const world = createWorld();
    const { failure } = await expectRotationRefused(world, { code: 'USER_NOT_FOUND', retryable: false });
    expect(failure.message).toContain('"user1"');
    expect(world.store.writes).toEqual([]);
  });

  it('refuses a username that is not the user behind user_arn', async () => {
    const world = createWorld({ secret: { username: 'admin', user_arn: arnOf('user1') } });
    world.elasticache.addSeedUser();
    await expectRotationRefused(world, { code: 'INVALID_SECRET' });
    expect(world.store.writes).toEqual([]);
  });

  it('SECRET_ARN restricts the function to one secret', async () => {
    const world = createWorld({
      engine: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf' },
    });
    world.elasticache.addSeedUser();
    const { failure } = await expectRotationRefused(world, { code: 'INVALID_CONFIGURATION' });
    expect(failure.message).toContain('SECRET_ARN');
    expect(world.store.writes).toEqual([]);
  });

  it('USER_NAME restricts the function to one user', async () => {
    const world = createWorld({ engine: { userName: 'someone-else' } });
    world.elasticache.addSeedUser();
    const { failure } = await expectRotationRefused(world, { code: 'INVALID_CONFIGURATION' });
    expect(failure.message).toContain('USER_NAME');
  });

  it('refuses IAM-authenticated users', async () => {
    const world = createWorld();
    world.elasticache.addSeedUser('user1', { authType: 'iam', AccessString: 'on ~* +@all' });
    await expectRotationRefused(world, { code: 'INVALID_CONFIGURATION' });
  });

  it.each([
    ['a space', 'user one'],
    ['a newline', 'user1\nACL SETUSER default nopass'],
    ['nothing', ''],
    ['a NUL byte', 'user\u00001'],
    ['too many characters', 'u'.repeat(129)],
    ['a non-ASCII letter', 'usér1'],
  ])('refuses a username with %s', async (_label, username) => {
    const world = createWorld({ secret: { username, user_arn: arnOf('user1') } });
    world.elasticache.addSeedUser();
    const { failure } = await expectRotationRefused(world, { code: 'INVALID_SECRET' });
    expect(failure.message).toContain('username');
    expect(world.store.writes).toEqual([]);
  });

  it.each([
    'arn:aws:elasticache:us-east-1:123456789012:user:1user',
    'arn:aws:elasticache:us-east-1:123456789012:user:user_1',
    'arn:aws:elasticache:us-east-1:123456789012:usergroup:user1',
    'arn:aws:secretsmanager:us-east-1:123456789012:user:user1',
    'arn:aws:elasticache:us-east-1:123456789012:user:user1 ',
    'user1',
  ])('refuses user_arn %j', async (userArn) => {
    const world = createWorld({ secret: { username: 'user1', user_arn: userArn } });
    world.elasticache.addSeedUser();
    await expectRotationRefused(world, { code: 'INVALID_SECRET' });
  });

  it('alternating-users refuses an AWSPENDING whose user_arn was redirected to another user', async () => {
    const world = createWorld({
      strategy: 'alternating-users',
      secret: { username: 'app', user_arn: arnOf('app'), password: CURRENT },
    });
    world.elasticache.addUser({ UserId: 'app', UserName: 'app', passwords: [CURRENT] });
    world.elasticache.addUser({ UserId: 'default', UserName: 'default', passwords: ['d'.repeat(20)] });
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    const pending = world.store.pendingValue(token)!;
    world.store.versions.get(token)!.value = JSON.stringify({ ...pending, user_arn: arnOf('default') });
    const failure = await rejection(world.invoke('setSecret', token));
    expect(failure.code).toBe('INVALID_SECRET');
    expect(world.elasticache.changes).toEqual([]);
    expect(world.elasticache.users.get('default')!.passwords).toEqual(['d'.repeat(20)]);
  });

  it('refuses to set a password ElastiCache would reject, naming the problem but not the password', async () => {
    const world = createWorld({ secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT } });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
    const token = randomUUID();
    world.store.startRotation(token);
    const hostile = 'has,comma/and@at-0123456789';
    world.store.versions.get(token)!.value = JSON.stringify({
      username: 'user1',
      user_arn: arnOf('user1'),
      password: hostile,
    });
    const failure = await rejection(world.invoke('setSecret', token));
    expect(failure.code).toBe('INVALID_SECRET');
    expect(failure.message).not.toContain(hostile);
    expect(world.elasticache.changes).toEqual([]);
  });
});

describe('AWS errors map to Rotor errors', () => {
  it('AccessDenied -> PermissionDeniedError, not retryable', async () => {
    const world = createWorld({ secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT } });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
    world.elasticache.mock.on(ModifyUserCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: elasticache:ModifyUser',
        ),
        {
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        },
      ),
    );
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    const failure = await rejection(world.invoke('setSecret', token));
    expect(failure).toMatchObject({ code: 'PERMISSION_DENIED', retryable: false });
    expect(failure.message).toContain('elasticache:ModifyUser');
  });

  it('throttling -> EngineUnavailableError, retryable', async () => {
    const world = createWorld({ secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT } });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
    world.elasticache.mock.on(ModifyUserCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $fault: 'client',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    const failure = await rejection(world.invoke('setSecret', token));
    expect(failure).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true });
  });

  it('a 5xx -> EngineUnavailableError, retryable', async () => {
    const world = createWorld({ secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT } });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
    world.elasticache.mock.on(ModifyUserCommand).rejects(
      Object.assign(new Error('We encountered an internal error'), {
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    expect(await rejection(world.invoke('setSecret', token))).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
    });
  });
});

describe('no password in logs or errors', () => {
  it('keeps every password out of log lines and error messages, even when the service echoes one', async () => {
    const world = createWorld({ secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT } });
    world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
    await world.rotate();
    await world.rotate();
    // A third rotation where ElastiCache refuses and quotes the password back (InvalidParameterValue).
    world.elasticache.mock.on(ModifyUserCommand).callsFake((input) => {
      throw Object.assign(new Error(`Invalid password ${input.Passwords?.join(' and ')}`), {
        name: 'InvalidParameterValueException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    });
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    const failure = await rejection(world.invoke('setSecret', token));
    expect(failure.code).toBe('ENGINE_FAILED');
    const passwords = allPasswords(world.store);
    expect(passwords.length).toBeGreaterThanOrEqual(3);
    const text = [...world.lines, failure.message, String(failure.stack)].join('\n');
    for (const password of passwords) expect(text).not.toContain(password);
    expect(failure.message).toContain('[REDACTED]');
  });
});
