import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalEndpoint, startLocalEndpoint } from '@rotor/testkit/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let endpoint: LocalEndpoint;

beforeAll(async () => {
  endpoint = await startLocalEndpoint();
});
afterAll(async () => {
  await endpoint?.stop();
});

describe('startLocalEndpoint', () => {
  it('creates secrets, and core store reads them through the real SDK client', async () => {
    const arn = await endpoint.createSecret(
      'app/one',
      { username: 'app', password: 'First-Password-1' },
      { team: 'db' },
    );
    expect(await endpoint.valueAt(arn)).toEqual({ username: 'app', password: 'First-Password-1' });
    const description = await endpoint.store.describe(arn);
    expect(description.tags).toEqual({ team: 'db' });
    expect(Object.values(description.versionStages)).toEqual([['AWSCURRENT']]);
    expect(endpoint.env.AWS_ENDPOINT_URL).toBe(endpoint.endpoint);
  });

  it('runs a registered function bundle for RotateSecret and reports the outcome', async () => {
    const { functionArn } = endpoint.registerFunction({
      functionName: 'suffix-rotation',
      bundlePath: join(dirname(fileURLToPath(import.meta.url)), 'fixtures/suffix-rotation.mjs'),
    });
    const arn = await endpoint.createSecret('app/two', { username: 'app', password: 'Second-Password-2' });
    const rotation = await endpoint.rotate(arn, functionArn);
    expect(rotation).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await endpoint.valueAt(arn)).toMatchObject({ password: 'Second-Password-2-next' });
    expect(await endpoint.valueAt(arn, 'AWSPREVIOUS')).toMatchObject({ password: 'Second-Password-2' });
    const steps = endpoint.aws.invocations().map((invocation) => invocation.step);
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  });
});
