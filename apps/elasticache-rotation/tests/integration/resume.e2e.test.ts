import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundlePath,
  type CacheWorld,
  canLogIn,
  createSecret,
  createSeedUser,
  rotateAndWait,
  secretAt,
  startCacheWorld,
  userArnOf,
} from './support.ts';

/**
 * A change that outlasts the function's wait: ElastiCache keeps the user `modifying` for 8 s while the
 * function may wait only 2.5 s. testSecret times out (retryable), Secrets Manager runs the rotation again,
 * in a warm container (module state kept) or a cold one (nothing remembered), and the retry resumes
 * without a second ModifyUser. The delay leaves room for a slow cold start on a loaded machine: the user must
 * still be modifying when testSecret begins to wait, or there is no timeout to resume from.
 */
let world: CacheWorld;

beforeAll(async () => {
  world = await startCacheWorld(
    { replicationGroups: ['cache-1'] },
    { modifyingDelayMs: 8_000, rotation: { maxAttempts: 6, retryDelayMs: 200 } },
  );
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('resuming after a StepTimeout', () => {
  it.each([
    ['a warm container (remembers the change it issued)', 'warm1', true],
    ['a cold container (proves the change from the control plane and AUTH at the cache)', 'cold1', false],
  ])('finishes on a later attempt with exactly one ModifyUser: %s', async (_label, userId, keepWarm) => {
    const { aws, sm, ec } = world;
    const cache = world.cache('cache-1');
    const initialPassword = 'Resume-initial-password-01';
    await createSeedUser(ec, userId, {
      NoPasswordRequired: false,
      Passwords: [initialPassword],
      AccessString: 'on ~keys* +get',
    });
    await world.join(userId, 'cache-1');
    const secretArn = await createSecret(sm, `production/ec/${userId}`, {
      user_arn: userArnOf(aws, userId),
      username: userId,
      password: initialPassword,
    });
    const fn = aws.registerFunction({
      functionName: `rotor-ec-${userId}`,
      bundlePath,
      timeoutSeconds: 60,
      keepWarm,
      environment: {
        ...world.functionEnvironment,
        SECRET_ARN: secretArn,
        USER_NAME: userId,
        MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS: '2.5',
        WAITING_RETRY_INTERVAL_IN_SECONDS: '0.2',
      },
    });
    aws.resetApiCalls();
    const outcome = await rotateAndWait(aws, sm, secretArn, fn.functionArn);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.attempts).toBeGreaterThan(1);
    const timeouts = aws
      .invocations()
      .filter(
        (invocation) => invocation.functionName === `rotor-ec-${userId}` && invocation.outcome === 'failed',
      );
    expect(timeouts.length).toBeGreaterThan(0);
    expect(
      new Set(timeouts.map((invocation) => `${invocation.errorType}: ${invocation.errorMessage}`)),
    ).toEqual(new Set(timeouts.map((invocation) => `StepTimeoutError: ${invocation.errorMessage}`)));
    const elastiCacheCalls = Object.entries(aws.apiCalls())
      .filter(([service]) => /elasticache/i.test(service))
      .map(([, operations]) => operations);
    const modifyUserCalls = elastiCacheCalls.reduce(
      (sum, operations) => sum + (operations.ModifyUser ?? 0),
      0,
    );
    expect(modifyUserCalls).toBe(1);
    const current = await secretAt(sm, secretArn, 'AWSCURRENT');
    expect(await canLogIn(cache, userId, current.password), 'new password').toBe(true);
    expect(await canLogIn(cache, userId, initialPassword), 'previous password').toBe(true);
    expect(await canLogIn(cache, userId, `${initialPassword}x`), 'wrong password').toBe(false);
  });
});
