/**
 * The crash matrix on a small fixture engine (a single-user Redis rotation, tests/integration/fixtures):
 * every case of a correct function converges, and an unsafe variant is caught with the password it lost.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { type RedisServerHandle, startRedisServer } from '@rotor/local-aws/harness';
import { type CrashScenario, redisPasswordHash, runCrashMatrix } from '@rotor/testkit/crash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { respCall } from './support/resp.ts';

const bundlePath = fileURLToPath(new URL('./fixtures/redis-single-user.mjs', import.meta.url));
let redis: RedisServerHandle;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

function fixtureScenario(name: string, bug?: string): CrashScenario {
  const admin = () => ['default', redis.password] as [string, string];
  return {
    name,
    loginThroughout: false,
    services: {},
    async prepare(context) {
      const username = `u_${context.caseId}`;
      const password = randomBytes(18).toString('base64url');
      await respCall(redis, admin(), ['ACL', 'SETUSER', username, 'on', `>${password}`, '~*', '+@all']);
      const created = await context.secretsManager.send(
        new CreateSecretCommand({
          Name: `fixture/${context.caseId}`,
          SecretString: JSON.stringify({ username, password }),
        }),
      );
      return {
        secretId: created.ARN!,
        function: {
          bundlePath,
          environment: {
            REDIS_HOST: redis.host,
            REDIS_PORT: String(redis.port),
            ...(bug ? { FIXTURE_BUG: bug } : {}),
          },
        },
        login: async (user, candidate) => (await respCall(redis, [user, candidate], ['PING'])).authOk,
        async heldCredentials() {
          const { reply } = await respCall(redis, admin(), ['ACL', 'GETUSER', username]);
          const fields = reply as unknown[];
          const hashes = (fields[fields.indexOf('passwords') + 1] as string[]) ?? [];
          return [
            {
              username,
              credentials: hashes.map((hash, index) => ({
                describe: `ACL password ${index + 1}`,
                opens: (candidate: string) => redisPasswordHash(candidate) === hash,
              })),
            },
          ];
        },
      };
    },
  };
}

// Dozens of real rotations (and endpoint restarts) per test: minutes on a busy two-core machine.
describe('runCrashMatrix', { timeout: 180_000 }, () => {
  it('crashes each call of setSecret once, before and after, by kill -9 and by reset: a correct function converges every time', async () => {
    const seen: string[] = [];
    const outcome = await runCrashMatrix({
      scenarios: [fixtureScenario('fixture/correct')],
      modes: ['kill', 'reset', 'endpoint'],
      concurrency: 2,
      select: (cases) =>
        cases.filter(
          (crash) => crash.step === 'setSecret' && (crash.mode !== 'endpoint' || crash.phase === 'after'),
        ),
      onResult: (result) =>
        seen.push(`${result.converged ? 'ok' : 'FAILED'} ${result.title}: ${result.problems.join('; ')}`),
    });
    expect(outcome.failed, seen.join('\n')).toBe(0);
    const titles = outcome.results.map((result) => result.title);
    expect(titles).toContain('setSecret #5 redis ACL SETUSER, after its reply, kill -9 of the function');
    expect(titles).toContain('setSecret #5 redis ACL SETUSER, before it is sent, connection reset');
    expect(titles.filter((title) => title.endsWith('endpoint SIGKILL + restart'))).toHaveLength(1);
    // Six calls (DescribeSecret, two GetSecretValue, AUTH pending, AUTH current, ACL SETUSER), two phases, two modes.
    expect(outcome.points).toBe(6 * 2 * 2 + 1);
  });

  it('catches a function that sets a password before any version holds it, naming what the server holds', async () => {
    const outcome = await runCrashMatrix({
      scenarios: [fixtureScenario('fixture/unsafe', 'password-outside-secret')],
      modes: ['kill'],
      select: (cases) =>
        cases.filter((crash) => crash.step === 'setSecret' && crash.label === 'redis ACL SETUSER'),
    });
    const afterReply = outcome.results.find((result) => result.crash?.phase === 'after');
    expect(afterReply?.converged).toBe(false);
    expect(afterReply?.problems).toContain(
      `user "u_${''}`.slice(0, 0) +
        afterReply!.problems.find((problem) => problem.includes('no version of the secret has'))!,
    );
    expect(afterReply?.problems.join('\n')).toMatch(
      /the server holds a password no version of the secret has/,
    );
    expect(afterReply?.problems.join('\n')).toMatch(/the rotation did not complete/);
    // Crashed before the change, the same function recovers: the matrix tells the two apart.
    expect(outcome.results.find((result) => result.crash?.phase === 'before')?.converged).toBe(true);
  });
});
