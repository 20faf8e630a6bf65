import { randomUUID } from 'node:crypto';
import { RotationError } from '@rotor/core';
import { describe, expect, it } from 'vitest';
import { arnOf } from './support/fake-elasticache.ts';
import { createWorld } from './support/rotation.ts';

const CURRENT = 'c'.repeat(24);

function activeUserWorld(engine = {}) {
  const world = createWorld({
    engine,
    secret: { username: 'user1', user_arn: arnOf('user1'), password: CURRENT },
  });
  world.elasticache.addUser({ UserId: 'user1', UserName: 'user1', passwords: [CURRENT] });
  return world;
}

async function rejection(promise: Promise<unknown>): Promise<RotationError> {
  try {
    await promise;
  } catch (error) {
    if (RotationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the step to fail');
}

describe('idempotent and resumable steps', () => {
  it('a retried setSecret does not issue ModifyUser twice', async () => {
    const world = activeUserWorld();
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    await world.invoke('createSecret', token);
    await world.invoke('setSecret', token);
    // The user is `modifying` now; the retry recognises its own change.
    expect(world.elasticache.users.get('user1')!.Status).toBe('modifying');
    await world.invoke('setSecret', token);
    await world.invoke('testSecret', token);
    await world.invoke('setSecret', token);
    await world.invoke('testSecret', token);
    await world.invoke('finishSecret', token);
    await world.invoke('finishSecret', token);
    expect(world.elasticache.count('ModifyUser')).toBe(1);
    expect(world.store.writes.filter((write) => write.startsWith('put'))).toHaveLength(1);
    const pending = world.store.valueAt('AWSCURRENT')!;
    expect(world.elasticache.users.get('user1')!.passwords).toEqual([pending.password, CURRENT]);
  });

  it('resumes after a StepTimeout in testSecret without a second ModifyUser', async () => {
    const world = activeUserWorld({ maxWaitingTimeMs: 30 });
    world.elasticache.modifyPolls = 1_000_000; // the change takes "forever" in this invocation
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    await world.invoke('setSecret', token);
    const timeout = await rejection(world.invoke('testSecret', token));
    expect(timeout.code).toBe('STEP_TIMEOUT');
    expect(timeout.retryable).toBe(true);
    expect(world.store.valueAt('AWSCURRENT')!.password).toBe(CURRENT);

    // Secrets Manager retries the whole rotation with the same token; the change has applied meanwhile.
    world.elasticache.users.get('user1')!.pollsUntilActive = 1;
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await world.invoke(step, token);
    }
    expect(world.elasticache.count('ModifyUser')).toBe(1);
    expect(world.store.valueAt('AWSCURRENT')!.password).not.toBe(CURRENT);
  });

  it('stops polling at the Lambda deadline with a retryable StepTimeoutError', async () => {
    const world = activeUserWorld({ maxWaitingTimeMs: 600_000, retryIntervalMs: 20 });
    world.elasticache.modifyPolls = 1_000_000;
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    await world.invoke('setSecret', token);
    const started = Date.now();
    // 5 s core margin + 150 ms: the signal aborts after ~150 ms.
    const timeout = await rejection(world.invoke('testSecret', token, 5_150));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(timeout).toMatchObject({ code: 'STEP_TIMEOUT', retryable: true });
    expect(timeout.message).toContain('deadline');
  });

  it('waits for a user that is busy with another change before ModifyUser', async () => {
    const world = activeUserWorld();
    const user = world.elasticache.users.get('user1')!;
    user.Status = 'modifying';
    user.pollsUntilActive = 10;
    await world.rotate();
    expect(world.elasticache.count('ModifyUser')).toBe(1);
    expect(world.lines.some((line) => line.includes('is modifying; waiting'))).toBe(true);
  });

  it('maps InvalidUserState from ModifyUser to a retryable error and leaves AWSPENDING for the retry', async () => {
    const world = activeUserWorld();
    const token = randomUUID();
    world.store.startRotation(token);
    await world.invoke('createSecret', token);
    // Someone else's change lands between our DescribeUsers and ModifyUser.
    const user = world.elasticache.users.get('user1')!;
    world.elasticache.mock.on((await import('@aws-sdk/client-elasticache')).ModifyUserCommand).rejectsOnce(
      new (await import('@aws-sdk/client-elasticache')).InvalidUserStateFault({
        $metadata: {},
        message: 'User user1 has status modifying. Only active users can be modified.',
      }),
    );
    const busy = await rejection(world.invoke('setSecret', token));
    expect(busy).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryable: true });
    expect(user.passwords).toEqual([CURRENT]);
    expect(world.store.versions.get(token)!.stages.includes('AWSPENDING')).toBe(true);
  });
});
