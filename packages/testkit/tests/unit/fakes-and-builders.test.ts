import { createRotationStepRunner, InvalidVersionStageError } from '@rotor/core';
import {
  createCapturingLogger,
  InMemorySecretsManager,
  lambdaContext,
  rotationEvent,
  rotationEvents,
  runRotation,
  SecretWatch,
  stepContext,
} from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { MemoryServer, memoryEngine } from './support/memory-engine.ts';

describe('InMemorySecretsManager', () => {
  it('follows the staging-label rules of a rotation and records every call', async () => {
    const sm = new InMemorySecretsManager();
    const arn = sm.createSecret('app', { username: 'app', password: 'Original-1' });
    const token = sm.startRotation(arn);
    expect(await sm.getValue(arn, { versionId: token, stage: 'AWSPENDING' })).toBeUndefined();
    await sm.putPendingValue(arn, { token, secretString: '{"username":"app","password":"Next-1234"}' });
    await sm.putPendingValue(arn, { token, secretString: '{"username":"app","password":"Next-1234"}' });
    await expect(sm.putPendingValue(arn, { token, secretString: '{}' })).rejects.toMatchObject({
      code: 'SECRET_STORE_FAILED',
    });
    const [original] = Object.entries(sm.stagesOf(arn)).find(([, stages]) => stages.includes('AWSCURRENT'))!;
    await expect(
      sm.moveCurrentStage(arn, { toVersionId: token, fromVersionId: 'not-it' }),
    ).rejects.toMatchObject({
      code: 'SECRET_STORE_FAILED',
    });
    await sm.moveCurrentStage(arn, { toVersionId: token, fromVersionId: original });
    sm.completeRotation(arn);
    expect(sm.stagesOf(arn)).toEqual({ [original]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    expect(sm.valueAt(arn, 'AWSCURRENT')).toEqual({ username: 'app', password: 'Next-1234' });
    expect(sm.writes().map((call) => call.operation)).toEqual([
      'putPendingValue',
      'putPendingValue',
      'putPendingValue',
      'moveCurrentStage',
      'moveCurrentStage',
    ]);
    expect(JSON.stringify(sm.calls)).not.toContain('Next-1234');
  });

  it('rejects a version id that does not carry the requested stage, like GetSecretValue', async () => {
    const sm = new InMemorySecretsManager();
    const arn = sm.createSecret('app', { username: 'app' });
    const token = sm.startRotation(arn);
    await sm.putPendingValue(arn, { token, secretString: '{"username":"app"}' });
    await expect(sm.getValue(arn, { versionId: token, stage: 'AWSCURRENT' })).rejects.toThrow(/VersionStage/);
    await expect(sm.describe('missing')).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('drives core through a whole rotation with runRotation, each step twice', async () => {
    const server = new MemoryServer();
    server.users.set('app', { passwords: ['Original-Password-1'], roles: [] });
    const sm = new InMemorySecretsManager();
    const arn = sm.createSecret('app', {
      username: 'app',
      password: 'Original-Password-1',
      host: 'memory.local',
    });
    const logger = createCapturingLogger();
    const run = createRotationStepRunner({
      engine: memoryEngine(server, { capabilities: { passwordsPerUser: 1 } }),
      store: sm,
      logger,
      strategy: 'single-user',
    });
    await runRotation(run, sm, arn, { repeatEachStep: true, lambdaContext: () => lambdaContext(30_000) });
    const current = sm.valueAt(arn, 'AWSCURRENT') as { password: string };
    expect(server.accepts('app', current.password)).toBe(true);
    expect(server.accepts('app', 'Original-Password-1')).toBe(false);
    expect(sm.writes().filter((call) => call.operation === 'putPendingValue')).toHaveLength(1);
    expect(logger.text()).not.toContain(current.password);
    await expect(run(rotationEvent('setSecret', { secretId: arn }))).rejects.toBeInstanceOf(
      InvalidVersionStageError,
    );
  });
});

describe('Builders', () => {
  it('build the four events of one rotation with one token', () => {
    const events = rotationEvents('arn:x', 'token-1');
    expect(events.map((event) => event.Step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect(new Set(events.map((event) => event.ClientRequestToken))).toEqual(new Set(['token-1']));
    expect(rotationEvent('testSecret', { rotationToken: 'rt' })).toMatchObject({ RotationToken: 'rt' });
  });

  it('build a step context whose remaining time follows its signal', () => {
    const controller = new AbortController();
    const context = stepContext({ signal: controller.signal, step: 'testSecret' });
    expect(context.step).toBe('testSecret');
    expect(context.remainingTimeMs()).toBe(Number.POSITIVE_INFINITY);
    controller.abort();
    expect(context.remainingTimeMs()).toBe(0);
    const remaining = lambdaContext(10_000).getRemainingTimeInMillis!();
    expect(remaining).toBeGreaterThan(9_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
  });
});

describe('CapturingLogger and SecretWatch', () => {
  it('find a secret in a log argument, an error message, a nested cause and a stack, naming only its label', () => {
    const watch = new SecretWatch();
    watch.remember('Hunter2-Secret', 'the new password');
    watch.remember('abc', 'too short to track');
    const logger = createCapturingLogger();
    logger.info('connecting', { options: { password: 'Hunter2-Secret' } });
    logger.warn('plain line');
    expect(logger.lines.map((line) => watch.findIn(line.text))).toEqual([['the new password'], []]);
    const error = new Error('outer', { cause: new Error('inner with Hunter2-Secret') });
    expect(watch.findInValue(error)).toEqual(['the new password']);
    expect(watch.findInValue(Object.assign(new Error('x'), { detail: 'Hunter2-Secret' }))).toEqual([
      'the new password',
    ]);
    expect(watch.scrub('pw=Hunter2-Secret')).toBe('pw=[the new password]');
    expect(watch.findIn('abc abc')).toEqual([]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(watch.findInValue(cyclic)).toEqual([]);
    expect(logger.text()).toContain('warn plain line');
    logger.clear();
    expect(logger.lines).toHaveLength(0);
  });
});
