import { InvalidSecretError, SecretStoreError } from '@rotor/core/errors';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSecretCache } from '../../src/secret-cache.ts';
import { capturingLogger } from './support/capturing-logger.ts';
import { FakeClock } from './support/fake-clock.ts';

const SECRET = 'prod/app/db';
const value = (password: string, username = 'app') => ({
  engine: 'redshift',
  host: 'db',
  username,
  password,
});

describe('createSecretCache', () => {
  let sm: MockSecretsManager;
  let clock: FakeClock;
  let logger: ReturnType<typeof capturingLogger>;
  beforeEach(() => {
    sm = new MockSecretsManager();
    clock = new FakeClock();
    logger = capturingLogger();
  });
  const cache = (extra: Parameters<typeof createSecretCache>[0] = {}) =>
    createSecretCache({ client: sm.client, clock, logger, ttlMs: 60_000, ...extra });

  describe('single-flight', () => {
    it('serves 50 concurrent cold reads with one DescribeSecret and one GetSecretValue', async () => {
      sm.createSecret(SECRET, value('p1'));
      const v1 = sm.versionIdAt(SECRET, 'AWSCURRENT');
      const c = cache();
      const results = await Promise.all(Array.from({ length: 50 }, () => c.getCurrent(SECRET)));
      expect(new Set(results.map((r) => r.versionId))).toEqual(new Set([v1]));
      expect(sm.calls('DescribeSecret')).toBe(1);
      expect(sm.calls('GetSecretValue')).toBe(1);
    });

    it('joins concurrent forced refreshes into one check, and a later one makes a new check', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      await c.getCurrent(SECRET);
      await Promise.all(Array.from({ length: 20 }, () => c.refresh(SECRET)));
      expect(sm.calls('DescribeSecret')).toBe(2);
      await c.refresh(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(3);
      expect(sm.calls('GetSecretValue')).toBe(1);
    });

    it('keeps secrets apart: one in-flight check per secret', async () => {
      sm.createSecret('a', value('pa'));
      sm.createSecret('b', value('pb'));
      const c = cache();
      const [a, b] = await Promise.all([c.getCurrent('a'), c.getCurrent('b'), c.getCurrent('a')]);
      expect(a.value['password']).toBe('pa');
      expect(b.value['password']).toBe('pb');
      expect(sm.calls('DescribeSecret')).toBe(2);
    });
  });

  describe('TTL and change check', () => {
    it('serves from memory within the TTL', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      await c.getCurrent(SECRET);
      clock.advance(59_999);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(1);
    });

    it('after the TTL, checks with DescribeSecret only when the version did not change', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      await c.getCurrent(SECRET);
      clock.advance(60_000);
      const again = await c.getCurrent(SECRET);
      expect(again.value['password']).toBe('p1');
      expect(sm.calls('DescribeSecret')).toBe(2);
      expect(sm.calls('GetSecretValue')).toBe(1);
    });

    it('after the TTL, reads the new AWSCURRENT by version id when it moved', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      await c.getCurrent(SECRET);
      const v2 = sm.putPending(SECRET, value('p2'));
      sm.promote(SECRET, v2);
      expect((await c.getCurrent(SECRET)).value['password']).toBe('p1');
      clock.advance(60_000);
      const next = await c.getCurrent(SECRET);
      expect(next.versionId).toBe(v2);
      expect(next.value['password']).toBe('p2');
      const gets = sm.mock.commandCalls(
        (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand,
      );
      expect(gets.at(-1)?.args[0].input).toEqual({ SecretId: SECRET, VersionId: v2 });
    });

    it('ttlMs 0 checks on every read', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache({ ttlMs: 0 });
      await c.getCurrent(SECRET);
      await c.getCurrent(SECRET);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(3);
      expect(sm.calls('GetSecretValue')).toBe(1);
    });

    it('refreshAtNextRotation expires the entry at NextRotationDate, before the TTL', async () => {
      sm.createSecret(SECRET, value('p1'));
      sm.setNextRotationDate(SECRET, new Date(clock.now() + 10_000));
      const c = cache({ refreshAtNextRotation: true });
      await c.getCurrent(SECRET);
      clock.advance(9_999);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(1);
      clock.advance(1);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(2);
    });

    it('without refreshAtNextRotation, NextRotationDate does not shorten the TTL', async () => {
      sm.createSecret(SECRET, value('p1'));
      sm.setNextRotationDate(SECRET, new Date(clock.now() + 10_000));
      const c = cache();
      await c.getCurrent(SECRET);
      clock.advance(30_000);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(1);
    });

    it('serves the cached value when a background check fails, and checks again after staleIfErrorMs', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache({ staleIfErrorMs: 1_000 });
      await c.getCurrent(SECRET);
      clock.advance(60_000);
      sm.failWith = Object.assign(new Error('endpoint down'), { name: 'InternalServiceError' });
      expect((await c.getCurrent(SECRET)).value['password']).toBe('p1');
      expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('change check failed'))).toBe(true);
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(2);
      clock.advance(1_000);
      sm.failWith = undefined;
      await c.getCurrent(SECRET);
      expect(sm.calls('DescribeSecret')).toBe(3);
    });

    it('fails a cold read when Secrets Manager fails (nothing stale to serve), as a SecretStoreError', async () => {
      sm.createSecret(SECRET, value('p1'));
      sm.failWith = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      const error = await cache()
        .getCurrent(SECRET)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreError);
      expect((error as SecretStoreError).retryable).toBe(true);
    });
  });

  describe('AWSPENDING', () => {
    it('is read on demand, only while a rotation is in progress', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      expect(await c.getPending(SECRET)).toBeUndefined();
      const v2 = sm.putPending(SECRET, value('p2'));
      const pending = await c.getPending(SECRET);
      expect(pending?.versionId).toBe(v2);
      expect(pending?.value['password']).toBe('p2');
      sm.promote(SECRET, v2);
      // AWS leaves AWSPENDING on the new AWSCURRENT version: that is not a rotation in progress.
      expect(await c.getPending(SECRET)).toBeUndefined();
      expect((await c.refresh(SECRET)).current.versionId).toBe(v2);
    });

    it('reads each version once (values are immutable per version id)', async () => {
      sm.createSecret(SECRET, value('p1'));
      const c = cache();
      sm.putPending(SECRET, value('p2'));
      await c.getPending(SECRET);
      await c.getPending(SECRET);
      expect(sm.calls('GetSecretValue')).toBe(2);
    });
  });

  describe('bad input', () => {
    it.each([
      ['not JSON', 'hunter2-secret-text'],
      ['a JSON string', JSON.stringify('hunter2-secret-text')],
      ['a JSON array', JSON.stringify(['hunter2-secret-text'])],
    ])('a SecretString that is %s is an InvalidSecretError that does not quote it', async (_name, text) => {
      sm.createSecret(SECRET, text);
      const error = await cache()
        .getCurrent(SECRET)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidSecretError);
      expect(String((error as Error).message)).not.toContain('hunter2');
      expect((error as Error).cause).toBeUndefined();
      expect(logger.lines.join('\n')).not.toContain('hunter2');
    });

    it.each([[{ ttlMs: -1 }], [{ ttlMs: 1.5 }], [{ staleIfErrorMs: -5 }]])(
      'rejects invalid options %j',
      (options) => {
        expect(() => createSecretCache({ client: sm.client, ...options })).toThrow(
          /Invalid secret cache options/,
        );
      },
    );
  });
});
