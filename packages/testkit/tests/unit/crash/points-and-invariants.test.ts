import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../src/crash/invariants.ts';
import { redisPasswordHash } from '../../../src/crash/password-verifiers.ts';
import type { CallEvent } from '../../../src/crash/plan.ts';
import { baselineCalls, describeCase, enumerateCases } from '../../../src/crash/points.ts';
import type { PreparedTarget, SecretVersionView } from '../../../src/crash/scenario.ts';

const event = (
  step: CallEvent['step'],
  index: number,
  label: string,
  kind: CallEvent['event'],
): CallEvent => ({
  step,
  index,
  label,
  event: kind,
  pid: 1,
});

describe('crash points', () => {
  const events = [
    event('createSecret', 0, 'secretsmanager DescribeSecret', 'request'),
    event('createSecret', 0, 'secretsmanager DescribeSecret', 'reply'),
    event('setSecret', 0, 'redis AUTH', 'request'),
    // A retry after the crash repeats numbers: the first attempt's record counts.
    event('setSecret', 0, 'redis AUTH', 'request'),
    event('setSecret', 1, 'redis QUIT', 'request'),
  ];

  it('takes each call of each step once, and knows which got a reply', () => {
    expect(baselineCalls(events)).toEqual([
      { step: 'createSecret', index: 0, label: 'secretsmanager DescribeSecret', replied: true },
      { step: 'setSecret', index: 0, label: 'redis AUTH', replied: false },
      { step: 'setSecret', index: 1, label: 'redis QUIT', replied: false },
    ]);
  });

  it('crashes every call before it is sent and after its reply; the endpoint at the start and end of each step', () => {
    const calls = baselineCalls(events);
    const cases = enumerateCases('s', calls, ['kill', 'reset', 'endpoint']);
    expect(cases.filter((c) => c.mode === 'kill').map((c) => `${c.step}#${c.index}/${c.phase}`)).toEqual([
      'createSecret#0/before',
      'createSecret#0/after',
      'setSecret#0/before',
      'setSecret#1/before',
    ]);
    expect(cases.filter((c) => c.mode === 'reset')).toHaveLength(4);
    expect(cases.filter((c) => c.mode === 'endpoint').map((c) => `${c.step}#${c.index}/${c.phase}`)).toEqual([
      'createSecret#0/before',
      'createSecret#0/after',
      'setSecret#0/before',
    ]);
    expect(describeCase(cases[1]!)).toBe(
      'createSecret #0 secretsmanager DescribeSecret, after its reply, kill -9 of the function',
    );
  });
});

describe('invariants', () => {
  const version = (
    versionId: string,
    stages: string[],
    password: string,
    username = 'app',
  ): SecretVersionView => ({
    versionId,
    stages,
    value: { username, password },
  });
  /** A server holding exactly `held` for "app" and accepting a login with any of them. */
  const target = (held: string[]): PreparedTarget => ({
    secretId: 'x',
    function: { bundlePath: 'x', environment: {} },
    login: async (username, password) => username === 'app' && held.includes(password),
    heldCredentials: async () => [
      {
        username: 'app',
        credentials: held.map((password, index) => ({
          describe: `ACL password ${index + 1}`,
          opens: (candidate: string) => redisPasswordHash(candidate) === redisPasswordHash(password),
        })),
      },
    ],
  });

  it('pass for a completed rotation whose passwords are all labelled', async () => {
    const versions = [
      version('v2', ['AWSCURRENT'], 'new-password-1'),
      version('v1', ['AWSPREVIOUS'], 'old-password-1'),
    ];
    expect(
      await checkInvariants({ target: target(['new-password-1', 'old-password-1']), versions, token: 'v2' }),
    ).toEqual([]);
  });

  it('name a password held only by an unlabelled version, and one held by no version', async () => {
    const versions = [version('v1', ['AWSCURRENT'], 'old-password-1'), version('v2', [], 'lost-password-2')];
    const problems = await checkInvariants({
      target: target(['lost-password-2', 'stray-password-3']),
      versions,
      token: 'v2',
    });
    expect(problems).toEqual([
      'the rotation did not complete: AWSCURRENT is on version v1, not on v2',
      'AWSCURRENT (user "app") is refused by the server',
      'user "app": a password the server accepts is held only by version v2, which carries no label (ACL password 1)',
      'user "app": the server holds a password no version of the secret has (ACL password 2)',
    ]);
    expect(problems.join(' ')).not.toContain('lost-password-2');
  });

  it('fail when the negative control logs in (a login check that accepts anything proves nothing)', async () => {
    const versions = [version('v2', ['AWSCURRENT'], 'new-password-1')];
    const lax: PreparedTarget = { ...target(['new-password-1']), login: async () => true };
    expect(await checkInvariants({ target: lax, versions, token: 'v2' })).toContain(
      'the server accepted a wrong password for "app": the login check proves nothing',
    );
  });

  it('report refusals of AWSCURRENT during the case when the scenario promises logins throughout', async () => {
    const versions = [version('v2', ['AWSCURRENT'], 'new-password-1')];
    const problems = await checkInvariants({
      target: target(['new-password-1']),
      versions,
      token: 'v2',
      loginLoop: { attempts: 40, refusals: [{ at: 1, versionId: 'v1' }], unavailable: 0 },
    });
    expect(problems).toEqual(['AWSCURRENT was refused 1 of 40 times during the case (version v1)']);
  });
});
