import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { ReplyError } from 'ioredis';
import { DatabaseError } from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { credentialSource } from '../../src/credential-source.ts';
import { type Credentials, toCredentials } from '../../src/credentials.ts';
import { createSecretCache } from '../../src/secret-cache.ts';
import { tagCredentials, withCredentials } from '../../src/with-credentials.ts';
import { capturingLogger } from './support/capturing-logger.ts';
import { FakeClock } from './support/fake-clock.ts';

const SECRET = 'prod/app/db';
const secretValue = (password: string, username = 'app') => ({
  host: 'db',
  port: '5439',
  username,
  password,
});

function refused(username: string): DatabaseError {
  const error = new DatabaseError(`password authentication failed for user "${username}"`, 0, 'error');
  error.code = '28P01';
  return error;
}

/** A target that accepts exactly the logins in `valid` and records every attempt. */
class FakeTarget {
  readonly valid = new Set<string>();
  readonly attempts: string[] = [];
  accept(username: string, password: string) {
    this.valid.add(`${username}\0${password}`);
  }
  reset(username: string, password: string) {
    for (const login of [...this.valid]) if (login.startsWith(`${username}\0`)) this.valid.delete(login);
    this.accept(username, password);
  }
  login = async (credentials: Credentials): Promise<string> => {
    this.attempts.push(`${credentials.username}/${credentials.password}`);
    if (!this.valid.has(`${credentials.username}\0${credentials.password}`))
      throw refused(credentials.username);
    return `session:${credentials.username}`;
  };
}

describe('withCredentials', () => {
  let sm: MockSecretsManager;
  let clock: FakeClock;
  let logger: ReturnType<typeof capturingLogger>;
  let target: FakeTarget;
  beforeEach(() => {
    sm = new MockSecretsManager();
    clock = new FakeClock();
    logger = capturingLogger();
    target = new FakeTarget();
    options = { clock, logger, random: () => 0.5 };
  });
  const source = () =>
    credentialSource(createSecretCache({ client: sm.client, clock, logger, ttlMs: 300_000 }), SECRET);
  let options: { clock: FakeClock; logger: ReturnType<typeof capturingLogger>; random: () => number };

  it('logs in with AWSCURRENT and no retry when it works', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    target.accept('app', 'p1');
    await expect(withCredentials(source(), target.login, options)).resolves.toBe('session:app');
    expect(target.attempts).toEqual(['app/p1']);
  });

  it('after a refused login, re-reads the secret and logs in with the new AWSCURRENT (stale cache)', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    target.accept('app', 'p1');
    await withCredentials(s, target.login, options);
    // A rotation completes; the cache (5 min TTL) still holds p1.
    sm.promote(SECRET, sm.putPending(SECRET, secretValue('p2')));
    target.reset('app', 'p2');
    await expect(withCredentials(s, target.login, options)).resolves.toBe('session:app');
    expect(target.attempts).toEqual(['app/p1', 'app/p1', 'app/p2']);
    expect(clock.sleeps).toEqual([]);
  });

  it('bridges the single-user gap: AWSCURRENT refused after setSecret, AWSPENDING works', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    sm.putPending(SECRET, secretValue('p2')); // createSecret
    target.reset('app', 'p2'); // setSecret; finishSecret has not run
    await expect(withCredentials(s, target.login, options)).resolves.toBe('session:app');
    expect(target.attempts).toEqual(['app/p1', 'app/p2']);
    expect(clock.sleeps).toEqual([]);
  });

  it('keeps using AWSPENDING for new logins until AWSCURRENT moves, then follows AWSCURRENT', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    const v2 = sm.putPending(SECRET, secretValue('p2'));
    target.reset('app', 'p2');
    await withCredentials(s, target.login, options);
    expect((await s.get()).stage).toBe('AWSPENDING');
    await withCredentials(s, target.login, options);
    expect(target.attempts).toEqual(['app/p1', 'app/p2', 'app/p2']);
    sm.promote(SECRET, v2); // finishSecret
    clock.advance(300_000);
    const after = await s.get();
    expect(after.stage).toBe('AWSCURRENT');
    expect(after.versionId).toBe(v2);
  });

  it('stops preferring AWSPENDING when it is refused (an abandoned rotation), and goes back to AWSCURRENT', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    sm.putPending(SECRET, secretValue('p2'));
    target.reset('app', 'p2');
    await withCredentials(s, target.login, options);
    target.reset('app', 'p1'); // an operator restored p1
    await expect(withCredentials(s, target.login, options)).resolves.toBe('session:app');
    expect(target.attempts.slice(-2)).toEqual(['app/p2', 'app/p1']);
    expect((await s.get()).stage).toBe('AWSCURRENT');
  });

  it('follows an alternating-users rotation to the other user', async () => {
    sm.createSecret(SECRET, secretValue('p1', 'app'));
    const s = source();
    target.accept('app', 'p1');
    await withCredentials(s, target.login, options);
    sm.promote(SECRET, sm.putPending(SECRET, secretValue('p2', 'app_clone')));
    target.accept('app_clone', 'p2');
    // next rotation re-passwords "app": the cached app/p1 is now refused
    sm.promote(SECRET, sm.putPending(SECRET, secretValue('p3', 'app')));
    target.reset('app', 'p3');
    await expect(withCredentials(s, target.login, options)).resolves.toBe('session:app');
    expect(target.attempts.at(-1)).toBe('app/p3');
  });

  it('does not refresh or retry on a network error: it is thrown at once', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    await s.get();
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5439'), { code: 'ECONNREFUSED' });
    let calls = 0;
    const error = await withCredentials(
      s,
      async () => {
        calls++;
        throw network;
      },
      options,
    ).catch((e: unknown) => e);
    expect(error).toBe(network);
    expect(calls).toBe(1);
    expect(sm.calls('DescribeSecret')).toBe(1);
  });

  it('retries with exponential full-jitter backoff within the attempt bound, then throws the FIRST refusal', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const errors: Error[] = [];
    const error = await withCredentials(
      source(),
      async (c) => {
        const e = refused(c.username);
        errors.push(e);
        throw e;
      },
      { ...options, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 },
    ).catch((e: unknown) => e);
    expect(errors).toHaveLength(5);
    expect(error).toBe(errors[0]);
    // ceilings 100, 200, 300 (capped), 300
    expect(clock.sleeps).toEqual([99, 199, 299, 299]);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('giving up after 5'))).toBe(true);
  });

  it('stops when the time budget would be exceeded', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    let calls = 0;
    const error = await withCredentials(
      source(),
      async (c) => {
        calls++;
        throw refused(c.username);
      },
      {
        ...options,
        maxAttempts: 100,
        baseDelayMs: 1_000,
        maxDelayMs: 1_000,
        budgetMs: 3_500,
        random: () => 0.999,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(calls).toBe(4);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3_500);
  });

  it('surfaces the original refusal when the secret cannot be re-read', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    await s.get();
    sm.failWith = Object.assign(new Error('down'), { name: 'InternalServiceError' });
    const first = refused('app');
    const error = await withCredentials(
      s,
      async () => {
        throw first;
      },
      options,
    ).catch((e: unknown) => e);
    expect(error).toBe(first);
  });

  it('classifies Redis refusals too, and tries each candidate once before waiting', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    sm.putPending(SECRET, secretValue('p2'));
    let calls = 0;
    await expect(
      withCredentials(
        source(),
        async (c) => {
          calls++;
          if (calls < 4)
            throw new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
          return c.password;
        },
        options,
      ),
    ).resolves.toBeDefined();
    // p1 refused -> p2 at once -> both tried: wait, alternate -> p1 refused -> wait -> p2
    expect(calls).toBe(4);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('uses the credentials a driver tagged on the error (it may have chosen others itself)', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    const v2 = sm.putPending(SECRET, secretValue('p2'));
    target.accept('app', 'p1'); // setSecret has not run: only p1 works
    let calls = 0;
    await withCredentials(
      s,
      async (c) => {
        calls++;
        if (calls === 1) {
          // the driver logged in with AWSPENDING on its own and was refused
          const pending = toCredentials(await s.cache.getVersion(SECRET, v2), 'AWSPENDING');
          throw tagCredentials(await target.login(pending).catch((e: unknown) => e), pending);
        }
        return target.login(c);
      },
      options,
    );
    // AWSCURRENT (never actually used) is tried next, not AWSPENDING again
    expect(target.attempts).toEqual(['app/p2', 'app/p1']);
    expect(clock.sleeps).toEqual([]);
  });

  it('treats an AWSPENDING version without a value yet (RotateSecret before createSecret) as no pending', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const s = source();
    await s.get();
    sm.startRotation(SECRET); // empty AWSPENDING version
    target.accept('app', 'p1');
    let calls = 0;
    await expect(
      withCredentials(
        s,
        async (c) => {
          calls++;
          if (calls === 1) throw refused(c.username); // a transient refusal
          return target.login(c);
        },
        options,
      ),
    ).resolves.toBe('session:app');
    expect(calls).toBe(2);
    expect(clock.sleeps).toHaveLength(1); // waited and retried instead of giving up
  });

  it('never logs a password', async () => {
    sm.createSecret(SECRET, secretValue('s3cr3t-current'));
    sm.putPending(SECRET, secretValue('s3cr3t-pending'));
    await withCredentials(
      source(),
      async (c) => {
        throw refused(c.username);
      },
      { ...options, maxAttempts: 4 },
    ).catch(() => undefined);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toMatch(/s3cr3t/);
  });

  it('rejects invalid options before any attempt', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    let calls = 0;
    await expect(
      withCredentials(
        source(),
        async () => {
          calls++;
        },
        { maxAttempts: 0 },
      ),
    ).rejects.toThrow(/Invalid recovery options/);
    expect(calls).toBe(0);
  });

  it('stops waiting when the signal aborts', async () => {
    sm.createSecret(SECRET, secretValue('p1'));
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      withCredentials(
        source(),
        async (c) => {
          throw refused(c.username);
        },
        { ...options, signal: controller.signal },
      ),
    ).rejects.toThrow('shutting down');
  });
});
