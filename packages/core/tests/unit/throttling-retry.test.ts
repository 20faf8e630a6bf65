import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretStoreError } from '@rotor/core/errors';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { runWithinDeadline, throttlingRetryStrategy } from '../../src/engine/throttling-retry.ts';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';

/**
 * A Secrets Manager endpoint that answers the first `throttled` requests with ThrottlingException (HTTP 400,
 * as AWS does) and then describes the secret; counts the requests it received.
 */
async function throttlingEndpoint(throttled: number) {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests += 1;
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (requests <= throttled) {
        response.statusCode = 400;
        response.setHeader('x-amzn-errortype', 'ThrottlingException');
        response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      response.end(
        JSON.stringify({
          ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
          Name: 'app',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-key' };

function store(url: string, random: () => number) {
  return createSecretsManagerStore({ endpoint: url, region: 'us-east-1', retry: { random } });
}

/** A deadline that has time for `retries` more retries (delays of 0 ms with `random` at 0), then none. */
function deadlineAllowing(retries: number) {
  let asked = 0;
  return { remainingTimeMs: () => (asked++ < retries ? 1 : 0) };
}

describe('throttled AWS calls are retried until the deadline', () => {
  process.env.AWS_ACCESS_KEY_ID ??= credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= credentials.secretAccessKey;

  it('a call throttled more often than the SDK would retry (6 attempts) goes through while the step has time', async () => {
    const endpoint = await throttlingEndpoint(12);
    const description = await runWithinDeadline({ remainingTimeMs: () => 60_000 }, () =>
      store(endpoint.url, () => 0).describe('app'),
    );
    expect(description.name).toBe('app');
    expect(endpoint.requests()).toBe(13);
  });

  it('stops retrying when the deadline leaves no time, with a retryable error naming the throttling', async () => {
    const endpoint = await throttlingEndpoint(Number.POSITIVE_INFINITY);
    const failure = await runWithinDeadline(deadlineAllowing(3), () =>
      store(endpoint.url, () => 0).describe('app'),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretStoreError);
    expect((failure as SecretStoreError).retryable).toBe(true);
    expect((failure as Error).message).toContain('ThrottlingException');
    // The first attempt and the three retries the deadline had time for.
    expect(endpoint.requests()).toBe(4);
  });

  it('never sleeps past the deadline: a delay longer than the time left ends the retries at once', async () => {
    const endpoint = await throttlingEndpoint(Number.POSITIVE_INFINITY);
    const started = Date.now();
    const failure = await runWithinDeadline({ remainingTimeMs: () => 400 }, () =>
      // The first delay is drawn below 1 s: 0.9 of it is past the 400 ms left.
      store(endpoint.url, () => 0.9).describe('app'),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretStoreError);
    expect(endpoint.requests()).toBe(1);
    expect(Date.now() - started).toBeLessThan(400);
  });
});

describe('throttlingRetryStrategy', () => {
  const throttling = { errorType: 'THROTTLING' as const };

  it('draws each delay below base x 2^retry, capped (full jitter), and keeps retrying throttling', async () => {
    const draws = [0.99, 0.5, 0.99, 0.99, 0.99, 0.99, 0.99];
    const strategy = throttlingRetryStrategy({ random: () => draws.shift() ?? 0.99, maxDelayMs: 20_000 });
    let token = await strategy.acquireInitialRetryToken('');
    const delays: number[] = [];
    await runWithinDeadline({ remainingTimeMs: () => 600_000 }, async () => {
      for (let i = 0; i < 9; i++) {
        token = await strategy.refreshRetryTokenForRetry(token, throttling);
        delays.push(token.getRetryDelay());
      }
    });
    expect(delays).toEqual([990, 1_000, 3_960, 7_920, 15_840, 19_800, 19_800, 19_800, 19_800]);
    expect(token.getRetryCount()).toBe(9);
  });

  it('retries transient errors a few times only, and client errors never', async () => {
    const strategy = throttlingRetryStrategy({ random: () => 0, maxTransientAttempts: 3 });
    await runWithinDeadline({ remainingTimeMs: () => 600_000 }, async () => {
      let token = await strategy.acquireInitialRetryToken('');
      token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' });
      token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' });
      await expect(strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' })).rejects.toThrow();
      const fresh = await strategy.acquireInitialRetryToken('');
      await expect(
        strategy.refreshRetryTokenForRetry(fresh, { errorType: 'CLIENT_ERROR' }),
      ).rejects.toThrow();
    });
  });

  it('outside a rotation step (no deadline) throttled retries are bounded by a budget from the first attempt', async () => {
    let clock = 0;
    const strategy = throttlingRetryStrategy({
      random: () => 0,
      budgetWithoutDeadlineMs: 1_000,
      now: () => clock,
    });
    let token = await strategy.acquireInitialRetryToken('');
    clock = 999;
    token = await strategy.refreshRetryTokenForRetry(token, throttling);
    clock = 1_000;
    await expect(strategy.refreshRetryTokenForRetry(token, throttling)).rejects.toThrow();
  });
});

describe('the rotation handler', () => {
  /** Whether a throttled call made by the step's store may still retry after a 500 ms delay. */
  async function retryAllowedDuringStep(remainingInvocationMs: number) {
    const sm = new MockSecretsManager();
    const target = new FakeTarget();
    target.addUser('app', ['Original-Password-1']);
    const secretId = sm.createSecret('prod/app', {
      username: 'app',
      password: 'Original-Password-1',
      host: 'db',
    });
    const inner = createSecretsManagerStore({ client: sm.client });
    const strategy = throttlingRetryStrategy({ random: () => 0.5 });
    const allowed: boolean[] = [];
    const handler = createRotationHandler({
      engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 1 } }),
      store: {
        ...inner,
        async describe(id) {
          const token = await strategy.acquireInitialRetryToken('');
          allowed.push(
            await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' }).then(
              () => true,
              () => false,
            ),
          );
          return inner.describe(id);
        },
      },
      deadlineMarginMs: 5_000,
    });
    const token = randomUUID();
    sm.startRotation(secretId, token);
    await handler(
      { Step: 'createSecret', SecretId: secretId, ClientRequestToken: token },
      { getRemainingTimeInMillis: () => remainingInvocationMs },
    );
    expect(allowed.length).toBeGreaterThan(0);
    return allowed.every(Boolean);
  }

  it("gives the step's SDK calls the invocation's deadline: no retry that would end past it", async () => {
    // 5.2 s left, 5 s of margin: 200 ms for the step, less than the 500 ms delay.
    expect(await retryAllowedDuringStep(5_200)).toBe(false);
    expect(await retryAllowedDuringStep(60_000)).toBe(true);
  });
});
