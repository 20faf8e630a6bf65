import { randomBytes } from 'node:crypto';
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DeleteUserCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type CacheServers, startCacheServers } from '@rotor/local-aws/harness';
import { stepContext } from '@rotor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authAtCache } from './support/auth-at-cache.ts';

/**
 * Alternating users, crash anywhere: cloneUser is interrupted at each of its ElastiCache calls (before
 * the call is sent, or after its reply), then run again by a fresh container, as Secrets Manager's
 * retry would. Afterwards the clone must be complete: like the source, in every user group of the
 * source, holding exactly the pending password, and logging in with it at every cache (real TLS AUTH).
 */
const SOURCE_PASSWORD = `source-${randomBytes(12).toString('hex')}`;
const MUTATIONS = new Set(['CreateUserCommand', 'ModifyUserCommand', 'ModifyUserGroupCommand']);

class Crash extends Error {
  override readonly name = 'Crash';
}

/** The engine wraps SDK failures in its own errors; the crash is somewhere down the cause chain. */
function isCrash(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof Crash) return true;
  }
  return false;
}

/** Two TLS caches, each holding one user group; the sources are in one or both groups. */
interface Environment {
  servers: CacheServers;
  aws: LocalAws;
  admin: ElastiCacheClient;
}

async function startEnvironment(modifyingDelayMs: number): Promise<Environment> {
  const servers = await startCacheServers({ replicationGroups: ['cache-a', 'cache-b'] });
  const aws = await startLocalAws({ elasticache: { caches: servers.caches, modifyingDelayMs } });
  const admin = new ElastiCacheClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  });
  for (const source of ['one-group', 'two-groups']) {
    await admin.send(
      new CreateUserCommand({
        UserId: source,
        UserName: source,
        Engine: 'redis',
        AccessString: 'on ~app:* -@all +get',
        Passwords: [SOURCE_PASSWORD],
      }),
    );
  }
  await aws.elasticache!.settled();
  await admin.send(
    new CreateUserGroupCommand({
      UserGroupId: 'group-a',
      Engine: 'redis',
      UserIds: ['default', 'one-group', 'two-groups'],
    }),
  );
  await admin.send(
    new CreateUserGroupCommand({
      UserGroupId: 'group-b',
      Engine: 'redis',
      UserIds: ['default', 'two-groups'],
    }),
  );
  await aws.elasticache!.settled();
  await admin.send(
    new ModifyReplicationGroupCommand({ ReplicationGroupId: 'cache-a', UserGroupIdsToAdd: ['group-a'] }),
  );
  await admin.send(
    new ModifyReplicationGroupCommand({ ReplicationGroupId: 'cache-b', UserGroupIdsToAdd: ['group-b'] }),
  );
  await aws.elasticache!.settled();
  return { servers, aws, admin };
}

async function stopEnvironment(env: Environment | undefined) {
  env?.admin.destroy();
  await env?.aws.stop();
  await env?.servers.stop();
}

/**
 * An ElastiCache client that dies at its `crashAt`-th counted call (1-based), before sending it or after
 * its reply. `counted` picks the calls that are crash points (default: all).
 */
function crashingClient(
  env: Environment,
  crashAt: number,
  mode: 'before' | 'after',
  counted: (name: string) => boolean = () => true,
) {
  const client = new ElastiCacheClient({
    endpoint: env.aws.endpoint,
    region: env.aws.region,
    credentials: env.aws.credentials,
  });
  let calls = 0;
  const names: string[] = [];
  /** Calls answered with an error (e.g. DescribeUsers for a clone not created yet): no "after" point. */
  let failed = 0;
  const failedAt = new Set<number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (!counted(name)) return next(args);
      calls += 1;
      const position = calls;
      names.push(name);
      if (calls === crashAt && mode === 'before') throw new Crash(`crash before ${name}`);
      const output = await next(args).catch((error: unknown) => {
        failed += 1;
        failedAt.add(position);
        throw error;
      });
      if (calls === crashAt && mode === 'after') throw new Crash(`crash after ${name}`);
      return output;
    },
    { step: 'initialize', name: 'crashPoint' },
  );
  /** Whether this run reached the crash point: the call was made, and (after) it was answered. */
  const reached = () => names.length >= crashAt && !(mode === 'after' && failedAt.has(crashAt));
  return { client, names, failed: () => failed, reached };
}

const secretOf = (env: Environment, userId: string, password: string) => ({
  username: userId,
  user_arn: `arn:aws:elasticache:${env.aws.region}:${env.aws.accountId}:user:${userId}`,
  password,
});

function logsIn(env: Environment, cacheId: string, username: string, password: string): Promise<boolean> {
  return authAtCache({ port: env.servers.server(cacheId).port, ca: env.servers.ca }, username, password);
}

async function describeUser(env: Environment, userId: string) {
  try {
    return (await env.admin.send(new DescribeUsersCommand({ UserId: userId }))).Users?.[0];
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundFault') return undefined;
    throw error;
  }
}

const scenarios = [
  { source: 'one-group', groups: ['group-a'], caches: ['cache-a'] },
  { source: 'two-groups', groups: ['group-a', 'group-b'], caches: ['cache-a', 'cache-b'] },
] as const;
type Scenario = (typeof scenarios)[number];

/** The complete target state, from the control plane and from real logins at every cache. */
async function expectCompleteClone(env: Environment, scenario: Scenario, password: string, label: string) {
  const clone = await describeUser(env, `${scenario.source}-clone`);
  const source = await describeUser(env, scenario.source);
  expect(clone, label).toMatchObject({
    UserName: `${scenario.source}-clone`,
    Status: 'active',
    Engine: source?.Engine,
    AccessString: source?.AccessString,
    Authentication: { Type: 'password', PasswordCount: 1 },
  });
  expect([...(clone?.UserGroupIds ?? [])].sort(), label).toEqual([...scenario.groups]);
  for (const cache of scenario.caches) {
    const clone = `${scenario.source}-clone`;
    expect(await logsIn(env, cache, clone, password), `${label}: clone at ${cache}`).toBe(true);
    // Negative control: a wrong password is refused there.
    expect(await logsIn(env, cache, clone, `${password}x`), `${label}: wrong password at ${cache}`).toBe(
      false,
    );
    expect(await logsIn(env, cache, scenario.source, SOURCE_PASSWORD), `${label}: source at ${cache}`).toBe(
      true,
    );
  }
}

async function removeClone(env: Environment, source: string) {
  if (!(await describeUser(env, `${source}-clone`))) return;
  await env.aws.elasticache!.settled();
  await env.admin.send(new DeleteUserCommand({ UserId: `${source}-clone` }));
  await env.aws.elasticache!.settled();
}

/** setSecret's cloneUser, then testSecret's wait, each as its own invocation (a fresh container each time). */
async function cloneOnce(env: Environment, client: ElastiCacheClient, source: string, password: string) {
  const engine = elastiCacheEngine({
    client,
    initialPollDelayMs: 5,
    retryIntervalMs: 20,
    dataPlane: { caFile: env.servers.caFile, connectTimeoutMs: 2_000 },
  });
  await engine.cloneUser(
    {
      source: secretOf(env, source, SOURCE_PASSWORD),
      target: secretOf(env, `${source}-clone`, password),
      principal: { kind: 'control-plane' },
    },
    stepContext({ step: 'setSecret' }),
  );
  await engine.waitUntilApplied(
    { user: secretOf(env, `${source}-clone`, password) },
    stepContext({ step: 'testSecret' }),
  );
}

/**
 * For each crash point (`crashAt` 1..points) and mode: a fresh start, a cloneUser that dies there, a
 * retry by a fresh container, and the complete-state check. Returns how many cases reached their point
 * and how many crashed: every point reached must end the attempt (a crash the engine swallowed is a bug).
 * How many DescribeUsers a wait makes depends on time (decision 0090), so a run may end before a point.
 */
async function crashMatrix(
  env: Environment,
  scenario: Scenario,
  points: number,
  counted?: (name: string) => boolean,
) {
  let crashes = 0;
  let reached = 0;
  for (let crashAt = 1; crashAt <= points; crashAt += 1) {
    for (const mode of ['before', 'after'] as const) {
      await removeClone(env, scenario.source);
      const password = `pending-${randomBytes(12).toString('hex')}`;
      const crashing = crashingClient(env, crashAt, mode, counted);
      const first = await cloneOnce(env, crashing.client, scenario.source, password).then(
        () => undefined,
        (error: unknown) => error,
      );
      crashing.client.destroy();
      if (crashing.reached()) reached += 1;
      if (isCrash(first)) crashes += 1;
      else if (first !== undefined) throw first;
      const retry = crashingClient(env, Number.POSITIVE_INFINITY, 'before');
      await cloneOnce(env, retry.client, scenario.source, password);
      retry.client.destroy();
      await expectCompleteClone(
        env,
        scenario,
        password,
        `crash ${mode} ${crashing.names.at(-1)} (#${crashAt})`,
      );
    }
  }
  return { crashes, reached };
}

describe('cloneUser converges after a crash at any ElastiCache call (no modifying delay)', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment(0);
  }, 60_000);
  afterAll(() => stopEnvironment(env));

  for (const scenario of scenarios) {
    it(`${scenario.source}: crash before / after each call, then a fresh container retries`, async () => {
      // How many calls an uninterrupted cloneUser makes, from nothing.
      await removeClone(env, scenario.source);
      const probe = crashingClient(env, Number.POSITIVE_INFINITY, 'before');
      await cloneOnce(env, probe.client, scenario.source, `probe-${randomBytes(12).toString('hex')}`);
      probe.client.destroy();
      expect(probe.names).toContain('CreateUserCommand');
      expect(probe.names.filter((name) => name === 'ModifyUserGroupCommand')).toHaveLength(
        scenario.groups.length,
      );
      // Every call is a crash point before it is sent, and after its reply unless it was answered with an error;
      // every point a run reaches ends it, and a run reaches at least its calls that are no wait's polls.
      const { crashes, reached } = await crashMatrix(env, scenario, probe.names.length);
      expect(crashes).toBe(reached);
      const polls = probe.names.filter((name) => name === 'DescribeUsersCommand').length;
      expect(reached).toBeGreaterThanOrEqual((probe.names.length - polls) * 2 - probe.failed());
    }, 180_000);
  }
});

describe('cloneUser converges after a crash around each change (with a modifying delay)', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment(60);
  }, 60_000);
  afterAll(() => stopEnvironment(env));

  for (const scenario of scenarios) {
    it(`${scenario.source}: crash before / after CreateUser and each ModifyUserGroup, then a fresh container retries`, async () => {
      const changes = 1 + scenario.groups.length;
      const isChange = (name: string) => MUTATIONS.has(name);
      expect(await crashMatrix(env, scenario, changes, isChange)).toEqual({
        crashes: changes * 2,
        reached: changes * 2,
      });
    }, 180_000);
  }
});
