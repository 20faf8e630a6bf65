import { InvalidConfigurationError, type StrategyChoice } from '@rotor/core';
import { defineEngine, type LoginResult } from '@rotor/core/engine';
import { createRotationFunction, type MetricsSink, ROTATION_METRICS } from '@rotor/lambda';
import { InMemorySecretsManager, runRotation } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { sampleEngineBase } from './support/sample-engine.ts';

interface PublishedRecord {
  dimensionSets: Array<Record<string, string>>;
  metrics: Record<string, { unit: string; value: number }>;
}

/** Collects what a Powertools Metrics would print as one EMF line per publish. */
function recordingSink(options: { failOnPublish?: boolean } = {}) {
  const published: PublishedRecord[] = [];
  let pending: PublishedRecord = { dimensionSets: [], metrics: {} };
  const sink: MetricsSink = {
    addDimensions: (dimensions) => pending.dimensionSets.push({ ...dimensions }),
    addMetric: (name, unit, value) => {
      pending.metrics[name] = { unit, value };
    },
    publishStoredMetrics: () => {
      if (options.failOnPublish) throw new Error('stdout closed');
      published.push(pending);
      pending = { dimensionSets: [], metrics: {} };
    },
  };
  return { sink, published };
}

function silentLogger() {
  const warnings: string[] = [];
  const noop = () => {};
  return {
    warnings,
    logger: { debug: noop, info: noop, error: noop, warn: (m: string) => warnings.push(m) },
  };
}

/** A target whose changes apply asynchronously, and whose logins can be forced to fail. */
function sampleEngine(options: { refuseLogins?: boolean } = {}) {
  const target = new Map([['app', 'Original-Password-1']]);
  let waits = 0;
  const engine = defineEngine({
    ...sampleEngineBase,
    asyncChanges: true,
    login: async ({ user }): Promise<LoginResult> =>
      !options.refuseLogins && target.get(user.username) === user.password
        ? { status: 'accepted' }
        : { status: 'rejected', reason: 'wrong password' },
    setPasswords: async ({ user, passwords }) => {
      target.set(user.username, passwords[0]!);
      return { status: 'changed' };
    },
    waitUntilApplied: async () => {
      waits += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { status: 'applied' };
    },
  });
  return { engine, waits: () => waits };
}

function rotationFunction(options: {
  strategy?: StrategyChoice;
  refuseLogins?: boolean;
  failOnPublish?: boolean;
}) {
  const store = new InMemorySecretsManager();
  const secretId = store.createSecret('prod/app', { username: 'app', password: 'Original-Password-1' });
  const { sink, published } = recordingSink(options);
  const { logger, warnings } = silentLogger();
  const sample = sampleEngine(options);
  const handler = createRotationFunction({
    functionName: 'Sample',
    logger,
    metrics: sink,
    setup: () => ({
      handler: { engine: sample.engine, store, ...(options.strategy ? { strategy: options.strategy } : {}) },
    }),
  });
  return { handler, store, secretId, published, warnings, waits: sample.waits };
}

const lambdaContext = () => ({
  awsRequestId: 'request-1',
  functionName: 'rotor-sample-rotation',
  getRemainingTimeInMillis: () => 60_000,
});

describe('createRotationFunction with a metrics sink', () => {
  it('publishes one record per step: outcome, duration, wait time and the login test, by engine, strategy and step', async () => {
    const { handler, store, secretId, published, waits } = rotationFunction({ strategy: 'single-user' });
    await runRotation(handler, store, secretId, { lambdaContext });

    expect(published.map((record) => record.dimensionSets)).toEqual(
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => [
        { Engine: 'sample', Strategy: 'single-user', Step },
        { FunctionName: 'rotor-sample-rotation' },
      ]),
    );
    for (const record of published) {
      expect(record.metrics[ROTATION_METRICS.stepSucceeded]).toEqual({ unit: 'Count', value: 1 });
      expect(record.metrics[ROTATION_METRICS.stepFailed]).toEqual({ unit: 'Count', value: 0 });
      expect(record.metrics[ROTATION_METRICS.stepDuration]?.unit).toBe('Milliseconds');
      expect(record.metrics[ROTATION_METRICS.stepDuration]?.value).toBeGreaterThanOrEqual(0);
    }
    const [, setSecret, testSecret] = published;
    // Only testSecret waits for the target and tests the login; setSecret's probing logins do not count.
    expect(waits()).toBe(1);
    expect(testSecret!.metrics[ROTATION_METRICS.targetApplyWait]?.unit).toBe('Milliseconds');
    expect(testSecret!.metrics[ROTATION_METRICS.targetApplyWait]?.value).toBeGreaterThanOrEqual(4);
    expect(testSecret!.metrics[ROTATION_METRICS.testSecretLoggedIn]).toEqual({ unit: 'Count', value: 1 });
    expect(setSecret!.metrics).not.toHaveProperty(ROTATION_METRICS.targetApplyWait);
    expect(setSecret!.metrics).not.toHaveProperty(ROTATION_METRICS.testSecretLoggedIn);
  });

  it('reports the strategy `auto` chose; finishSecret, which chooses none, reports the configured choice', async () => {
    const { handler, store, secretId, published } = rotationFunction({});
    await runRotation(handler, store, secretId);
    expect(published.map((record) => record.dimensionSets[0]!.Strategy)).toEqual([
      'single-user',
      'single-user',
      'single-user',
      'auto',
    ]);
    // Outside Lambda the human name stands in for the function's name.
    expect(published[0]!.dimensionSets[1]).toEqual({ FunctionName: 'Sample' });
  });

  it('a failed testSecret counts as failed and as not logged in; the error reaches Secrets Manager unchanged', async () => {
    const { handler, store, secretId, published } = rotationFunction({
      strategy: 'single-user',
      refuseLogins: true,
    });
    const token = store.startRotation(secretId);
    const event = (Step: string) => ({ Step, SecretId: secretId, ClientRequestToken: token });
    await handler(event('createSecret'));
    // setSecret cannot log in as the current user either: it fails before any change.
    await expect(handler(event('setSecret'))).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED' });
    await expect(handler(event('testSecret'))).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED' });
    const [, setSecret, testSecret] = published;
    expect(setSecret!.metrics[ROTATION_METRICS.stepFailed]).toEqual({ unit: 'Count', value: 1 });
    expect(setSecret!.metrics[ROTATION_METRICS.stepSucceeded]).toEqual({ unit: 'Count', value: 0 });
    expect(testSecret!.metrics[ROTATION_METRICS.stepFailed]).toEqual({ unit: 'Count', value: 1 });
    expect(testSecret!.metrics[ROTATION_METRICS.testSecretLoggedIn]).toEqual({ unit: 'Count', value: 0 });
    expect(testSecret!.dimensionSets[0]).toEqual({
      Engine: 'sample',
      Strategy: 'single-user',
      Step: 'testSecret',
    });
  });

  it('a malformed event and a misconfigured function are counted as failures too', async () => {
    const { handler, published } = rotationFunction({ strategy: 'single-user' });
    await expect(handler({ Step: 'dropTables' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(published[0]!.dimensionSets[0]).toEqual({
      Engine: 'sample',
      Strategy: 'single-user',
      Step: 'InvalidEvent',
    });
    expect(published[0]!.metrics[ROTATION_METRICS.stepFailed]?.value).toBe(1);

    const misconfigured = recordingSink();
    const problem = new InvalidConfigurationError('PASSWORD_LENGTH: must be between 8 and 64');
    const broken = createRotationFunction({
      functionName: 'Sample',
      logger: silentLogger().logger,
      metrics: misconfigured.sink,
      setup: () => {
        throw problem;
      },
    });
    await expect(broken({ Step: 'createSecret' }, lambdaContext())).rejects.toBe(problem);
    expect(misconfigured.published).toEqual([
      {
        dimensionSets: [
          { Engine: 'unknown', Strategy: 'unknown', Step: 'createSecret' },
          { FunctionName: 'rotor-sample-rotation' },
        ],
        metrics: expect.objectContaining({ [ROTATION_METRICS.stepFailed]: { unit: 'Count', value: 1 } }),
      },
    ]);
  });

  it('a sink that cannot publish loses the record, never the rotation', async () => {
    const { handler, store, secretId, warnings } = rotationFunction({ failOnPublish: true });
    await runRotation(handler, store, secretId);
    expect(store.valueAt(secretId, 'AWSCURRENT')?.password).not.toBe('Original-Password-1');
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toBe('Could not publish the rotation metrics');
  });

  it('concurrent invocations of one function keep their own numbers', async () => {
    const { handler, store, secretId, published } = rotationFunction({ strategy: 'single-user' });
    const other = store.createSecret('prod/other', { username: 'app', password: 'Original-Password-1' });
    const tokens = [store.startRotation(secretId), store.startRotation(other)];
    const event = (SecretId: string, Step: string, index: number) => ({
      Step,
      SecretId,
      ClientRequestToken: tokens[index]!,
    });
    for (const Step of ['createSecret', 'setSecret']) await handler(event(secretId, Step, 0));
    await handler(event(other, 'createSecret', 1));
    // The other secret's pending password was never set on the target: its login test is refused.
    const [accepted, refused] = await Promise.allSettled([
      handler(event(secretId, 'testSecret', 0)),
      handler(event(other, 'testSecret', 1)),
    ]);
    expect(accepted.status).toBe('fulfilled');
    expect(refused.status).toBe('rejected');
    const loginTests = published.filter((record) => record.dimensionSets[0]!.Step === 'testSecret');
    expect(
      loginTests.map((record) => [
        record.metrics[ROTATION_METRICS.stepFailed]?.value,
        record.metrics[ROTATION_METRICS.testSecretLoggedIn]?.value,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 0],
      ]),
    );
    expect(loginTests).toHaveLength(2);
  });
});
