import { createRotationStepRunner, generatePassword, RotationError, type StrategyId } from '@rotor/core';
import {
  defineEngine,
  type EngineCapabilities,
  type EngineSecret,
  passwordSatisfiesPolicy,
  toggleCloneSuffix,
  validatePasswordPolicy,
} from '@rotor/core/engine';
import { InMemorySecretsManager } from '../in-memory-secrets-manager.js';
import { runRotation } from '../run-rotation.js';
import { type CheckContext, check, describeError, fail } from './check-context.js';
import type { CapabilityCheckId, CheckId, EngineConformanceOptions } from './types.js';
import { CAPABILITY_CHECK_IDS, CORE_CHECK_IDS, ConformanceFailure } from './types.js';

export interface ConformanceCheck {
  id: CheckId;
  title: string;
  run<TSecret extends EngineSecret>(
    ctx: CheckContext<TSecret>,
    options: EngineConformanceOptions<TSecret>,
  ): Promise<void>;
}

/** The capability each optional check needs, and how it reads in messages. */
export const CHECK_CAPABILITY: Record<
  CapabilityCheckId,
  { claimed: (capabilities: EngineCapabilities) => boolean; capability: string }
> = {
  clone: { claimed: (c) => c.canCloneUsers, capability: 'canCloneUsers: true' },
  'wait-abort': { claimed: (c) => c.asyncChanges, capability: 'asyncChanges: true' },
  'rotation-dual-password': {
    claimed: (c) => c.maxPasswordsPerUser === 2,
    capability: 'maxPasswordsPerUser: 2',
  },
  'rotation-alternating-users': { claimed: (c) => c.canCloneUsers, capability: 'canCloneUsers: true' },
};

/** Problems with the `skip` option: unknown names, skipped core checks, opt-outs of claimed capabilities. */
export function optOutProblems(
  skip: Record<string, string | undefined>,
  capabilities: EngineCapabilities,
): string[] {
  const problems: string[] = [];
  for (const [id, reason] of Object.entries(skip)) {
    if ((CORE_CHECK_IDS as readonly string[]).includes(id)) {
      problems.push(`"${id}" checks what every engine must do and cannot be skipped`);
    } else if (!(CAPABILITY_CHECK_IDS as readonly string[]).includes(id)) {
      problems.push(`"${id}" is not a check (optional checks: ${CAPABILITY_CHECK_IDS.join(', ')})`);
    } else if (CHECK_CAPABILITY[id as CapabilityCheckId].claimed(capabilities)) {
      problems.push(
        `"${id}" is skipped but the engine claims ${CHECK_CAPABILITY[id as CapabilityCheckId].capability}: a claimed capability must pass its check (it ran anyway)`,
      );
    } else if (typeof reason !== 'string' || reason.trim().length === 0) {
      problems.push(`"${id}" is skipped without a reason`);
    }
  }
  return problems;
}

const optOuts: ConformanceCheck = {
  id: 'opt-outs',
  title: 'every opt-out names a capability the engine does not claim, with a reason',
  async run(ctx, options) {
    const problems = optOutProblems(options.skip ?? {}, ctx.capabilities);
    if (problems.length > 0) fail(`invalid opt-outs: ${problems.join('; ')}`);
  },
};

const contract: ConformanceCheck = {
  id: 'contract',
  title: 'the engine satisfies contract v1, its policy is usable and its schema keeps unknown fields',
  async run(ctx) {
    try {
      defineEngine({ ...ctx.engine });
    } catch (error) {
      fail(describeError(error));
    }
    const problems = validatePasswordPolicy(ctx.engine.passwordPolicy);
    check(problems.length === 0, `the password policy is unusable: ${problems.join('; ')}`);
    const password = ctx.password('a sample password');
    const sample = { ...ctx.secretFor('conformance_schema_probe', password), rotorConformanceExtra: 'kept' };
    const parsed = ctx.engine.secretSchema.safeParse(sample);
    check(parsed.success, `secretSchema rejects the target's own secretFor() value`);
    check(
      (parsed.data as Record<string, unknown>).rotorConformanceExtra === 'kept',
      'secretSchema drops unknown keys: use z.looseObject so fields such as dbClusterIdentifier survive rotations',
    );
    check(
      !ctx.engine.secretSchema.safeParse({ password }).success,
      'secretSchema accepts a secret without a username',
    );
  },
};

const exactPassword: ConformanceCheck = {
  id: 'exact-password',
  title: 'setPasswords sets exactly the password supplied: it logs in, checked independently',
  async run(ctx) {
    const original = ctx.password('the original password');
    const user = await ctx.newUser(original);
    await ctx.expectEngineLogin(user, 'accepted', 'the original password');
    const wrong = ctx.password('a wrong password');
    await ctx.expectEngineLogin(ctx.secretFor(user.username, wrong), 'rejected', 'a wrong password');
    const next = ctx.password('the new password');
    await ctx.applyPasswords({
      user: ctx.secretFor(user.username, next),
      passwords: [next],
      principal: ctx.selfPrincipal(user),
    });
    await ctx.expectLogin(user.username, next, true, 'after setPasswords([new])');
    await ctx.expectEngineLogin(ctx.secretFor(user.username, next), 'accepted', 'after setPasswords([new])');
    await ctx.expectLogin(user.username, wrong, false, 'a wrong password after setPasswords');
  },
};

const previousPassword: ConformanceCheck = {
  id: 'previous-password',
  title: 'old passwords are refused, or kept exactly as maxPasswordsPerUser claims',
  async run(ctx) {
    const p0 = ctx.password('the original password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the first new password');
    if (ctx.capabilities.maxPasswordsPerUser === 1) {
      await ctx.applyPasswords({
        user: ctx.secretFor(user.username, p1),
        passwords: [p1],
        principal: ctx.selfPrincipal(user),
      });
      await ctx.expectLogin(user.username, p1, true, 'the new password');
      await ctx.expectLogin(user.username, p0, false, 'the replaced password (maxPasswordsPerUser: 1)');
      await ctx.expectEngineLogin(user, 'rejected', 'the replaced password (maxPasswordsPerUser: 1)');
      return;
    }
    await ctx.applyPasswords({
      user: ctx.secretFor(user.username, p1),
      passwords: [p1, p0],
      principal: ctx.selfPrincipal(user),
    });
    await ctx.expectLogin(user.username, p1, true, 'setPasswords([new, old]): the new password');
    await ctx.expectLogin(
      user.username,
      p0,
      true,
      'setPasswords([new, old]): the old password (maxPasswordsPerUser: 2)',
    );
    const p2 = ctx.password('the second new password');
    await ctx.applyPasswords({
      user: ctx.secretFor(user.username, p2),
      passwords: [p2, p1],
      principal: ctx.selfPrincipal(ctx.secretFor(user.username, p1)),
    });
    await ctx.expectLogin(user.username, p2, true, 'setPasswords([newer, new]): the newest password');
    await ctx.expectLogin(user.username, p1, true, 'setPasswords([newer, new]): the previous password');
    await ctx.expectLogin(
      user.username,
      p0,
      false,
      'setPasswords([newer, new]): the oldest password, no longer listed',
    );
  },
};

const idempotent: ConformanceCheck = {
  id: 'idempotent',
  title: 'every operation run twice with the same input gives the same result',
  async run(ctx) {
    const p0 = ctx.password('the original password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the new password');
    const keepsTwo = ctx.capabilities.maxPasswordsPerUser === 2;
    const input = {
      user: ctx.secretFor(user.username, p1),
      passwords: keepsTwo ? [p1, p0] : [p1],
      principal: ctx.selfPrincipal(user),
    };
    await ctx.applyPasswords(input);
    try {
      // A Lambda retried after a timeout repeats the call with the same input, including a principal
      // whose password the first call may just have replaced.
      await ctx.applyPasswords(input);
    } catch (error) {
      fail(`setPasswords failed when repeated with the same input: ${describeError(error)}`);
    }
    await ctx.expectLogin(user.username, p1, true, 'after setPasswords twice: the new password');
    await ctx.expectLogin(user.username, p0, keepsTwo, 'after setPasswords twice: the old password');
    const twice = [await ctx.login(input.user), await ctx.login(input.user)].map((outcome) => outcome.status);
    check(twice[0] === 'accepted' && twice[1] === 'accepted', `login twice gave ${twice.join(', ')}`);
  },
};

const missingUser: ConformanceCheck = {
  id: 'missing-user',
  title: "a user that does not exist gives the contract's UserNotFoundError and nothing is created",
  async run(ctx) {
    const username = ctx.username();
    const password = ctx.password('the missing user password');
    const missing = ctx.secretFor(username, password);
    await ctx.expectEngineLogin(missing, 'rejected', 'logging in as a user that does not exist');
    if (ctx.engine.preflight) {
      const error = await ctx.expectFailure(ctx.preflight(missing), 'preflight for a missing user');
      ctx.expectRotationError(error, ['USER_NOT_FOUND'], 'preflight for a missing user');
    }
    const usesAdmin = ctx.capabilities.changeAuthority === 'control-plane' || ctx.target.admin !== undefined;
    const principal = usesAdmin ? ctx.adminPrincipal('missing-user') : ctx.selfPrincipal(missing);
    const error = await ctx.expectFailure(
      ctx.setPasswords({ user: missing, passwords: [password], principal }),
      'setPasswords for a missing user',
    );
    // With only the user's own credentials, "no such user" and "wrong password" look the same.
    ctx.expectRotationError(
      error,
      usesAdmin ? ['USER_NOT_FOUND'] : ['USER_NOT_FOUND', 'CREDENTIAL_REJECTED'],
      `setPasswords for a missing user (principal: ${principal.kind})`,
    );
    await ctx.expectLogin(username, password, false, 'after a failed setPasswords for a missing user');
  },
};

const noSecretInErrors: ConformanceCheck = {
  id: 'no-secret-in-errors',
  title: 'errors and log lines caused by bad passwords contain no secret material',
  async run(ctx) {
    const p0 = ctx.password('the current password');
    const user = await ctx.newUser(p0);
    const wrong = ctx.password('a wrong password');
    await ctx.expectEngineLogin(ctx.secretFor(user.username, wrong), 'rejected', 'a wrong password');
    if (ctx.capabilities.changeAuthority === 'credentials') {
      const next = ctx.password('the new password');
      const error = await ctx.expectFailure(
        ctx.setPasswords({
          user: ctx.secretFor(user.username, next),
          passwords: [next],
          principal: { kind: 'self', secret: ctx.secretFor(user.username, wrong) },
        }),
        'setPasswords with a principal whose password is wrong',
      );
      check(
        RotationError.isInstance(error),
        `setPasswords with a wrong principal password should throw a RotationError, not ${describeError(error)}`,
      );
      await ctx.expectLogin(user.username, p0, true, 'after a refused change: the current password');
      await ctx.expectLogin(
        user.username,
        next,
        false,
        'after a refused change: the new password was not set',
      );
    }
    // A password the policy forbids (too long, excluded characters): whatever the engine does, its errors stay clean.
    const policy = ctx.engine.passwordPolicy;
    const forbidden = `${policy.excludeCharacters}${generatePassword(policy)}`.padEnd(
      policy.maxLength + 8,
      'x',
    );
    ctx.watch.remember(forbidden, 'a password outside the policy');
    try {
      await ctx.applyPasswords({
        user: ctx.secretFor(user.username, forbidden),
        passwords: [forbidden],
        principal: ctx.selfPrincipal(user),
      });
    } catch (error) {
      if (error instanceof ConformanceFailure) throw error;
    }
  },
};

const passwordPolicy: ConformanceCheck = {
  id: 'password-policy',
  title: 'the server accepts many passwords generated from the engine policy',
  async run(ctx, options) {
    const samples = options.policySamples ?? 50;
    let current = await ctx.newUser(ctx.password('the original password'));
    const working = new Set<string>();
    for (let index = 1; index <= samples; index += 1) {
      const password = ctx.password(`generated password #${index}`);
      check(
        passwordSatisfiesPolicy(password, ctx.engine.passwordPolicy),
        'core generated a password outside the policy',
      );
      const next = ctx.secretFor(current.username, password);
      try {
        await ctx.applyPasswords({
          user: next,
          passwords: [password],
          principal: ctx.selfPrincipal(current),
        });
      } catch (error) {
        fail(
          `setPasswords failed for generated password #${index} of ${samples}: ${describeError(error)}; ${suspects(password, working)}`,
        );
      }
      if (!(await ctx.target.canLogin(current.username, password))) {
        fail(
          `generated password #${index} of ${samples} was set but does not log in; ${suspects(password, working)}`,
        );
      }
      for (const character of password) working.add(character);
      current = next;
    }
  },
};

/** Characters of a failing password never seen in a working one: what to add to excludeCharacters. */
function suspects(password: string, working: Set<string>): string {
  const unseen = [...new Set(password)].filter((character) => !working.has(character));
  return unseen.length > 0 && unseen.length < 12
    ? `characters not seen in any working password: ${JSON.stringify(unseen.join(''))}`
    : 'no single character stands out';
}

const clone: ConformanceCheck = {
  id: 'clone',
  title:
    'cloneUser creates a user like the source that logs in with its own password; repeated, it only sets the password',
  async run(ctx) {
    check(
      ctx.target.describeCloneable,
      'the target must provide describeCloneable(username) (what a clone has in common with its source) for this check',
    );
    const sourcePassword = ctx.password('the source password');
    const source = await ctx.newUser(sourcePassword);
    await ctx.target.decorateCloneSource?.(source.username);
    const fields = ctx.engine.alternateUser?.(source) ?? { username: toggleCloneSuffix(source.username) };
    const p1 = ctx.password('the clone password');
    const target = { ...source, ...fields, password: p1 } as typeof source;
    check(target.username !== source.username, 'alternateUser() returned the same username');
    const principal = ctx.adminPrincipal('clone');
    await ctx.applyClone({ source, target, principal });
    await ctx.expectLogin(target.username, p1, true, 'the new clone');
    await ctx.expectLogin(source.username, sourcePassword, true, 'the source after cloning');
    await ctx.expectLogin(target.username, sourcePassword, false, "the clone with the source's password");
    const expected = JSON.stringify(sortKeys(await ctx.target.describeCloneable(source.username)));
    const actual = JSON.stringify(sortKeys(await ctx.target.describeCloneable(target.username)));
    check(
      actual === expected,
      `the clone does not copy what the engine claims: source ${expected}, clone ${actual}`,
    );
    try {
      await ctx.applyClone({ source, target, principal });
    } catch (error) {
      fail(`cloneUser failed when repeated with the same input: ${describeError(error)}`);
    }
    await ctx.expectLogin(target.username, p1, true, 'the clone after cloneUser twice');
    const p2 = ctx.password('the next clone password');
    await ctx.applyClone({ source, target: { ...target, password: p2 }, principal });
    await ctx.expectLogin(target.username, p2, true, 'an existing clone after cloneUser with a new password');
    await ctx.expectLogin(target.username, p1, false, "an existing clone's replaced password");
    const again = JSON.stringify(sortKeys(await ctx.target.describeCloneable(target.username)));
    check(
      again === expected,
      `after cloning into an existing user, it no longer matches its source: ${again}`,
    );
  },
};

const ABORT_GRACE_MS = 1_000;

const waitAbort: ConformanceCheck = {
  id: 'wait-abort',
  title: 'waitUntilApplied stops promptly with a retryable StepTimeoutError when the signal aborts',
  async run(ctx) {
    const p0 = ctx.password('the original password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the new password');
    const pending = ctx.secretFor(user.username, p1);
    await ctx.setPasswords({ user: pending, passwords: [p1], principal: ctx.selfPrincipal(user) });
    const aborted = new AbortController();
    aborted.abort(new Error('deadline near'));
    await expectPromptTimeout(
      ctx,
      ctx.waitUntilApplied(pending, aborted.signal),
      0,
      'a signal aborted before the wait',
    );
    await ctx.waitUntilApplied(pending);
    await ctx.waitUntilApplied(pending);
    await ctx.expectLogin(user.username, p1, true, 'after waitUntilApplied');
    if (!ctx.target.holdChanges) return;
    const release = await ctx.target.holdChanges();
    try {
      const p2 = ctx.password('the held password');
      const held = ctx.secretFor(user.username, p2);
      await ctx.setPasswords({ user: held, passwords: [p2], principal: ctx.selfPrincipal(pending) });
      const controller = new AbortController();
      const abortAfterMs = 150;
      setTimeout(() => controller.abort(new Error('deadline near')), abortAfterMs);
      await expectPromptTimeout(
        ctx,
        ctx.waitUntilApplied(held, controller.signal),
        abortAfterMs,
        'a signal aborted during the wait',
      );
      await release();
      await ctx.waitUntilApplied(held);
      await ctx.expectLogin(user.username, p2, true, 'after the held change was released and waited for');
    } finally {
      await release();
    }
  },
};

async function expectPromptTimeout<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  wait: Promise<void>,
  abortAfterMs: number,
  what: string,
): Promise<void> {
  const startedAt = Date.now();
  const limitMs = abortAfterMs + ABORT_GRACE_MS;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    wait.then(
      () => ({ kind: 'resolved' as const }),
      (error: unknown) => ({ kind: 'rejected' as const, error }),
    ),
    new Promise<{ kind: 'hung' }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'hung' }), limitMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome.kind === 'hung')
    fail(`waitUntilApplied with ${what} was still waiting ${limitMs} ms later: it ignores the AbortSignal`);
  if (outcome.kind === 'resolved')
    fail(`waitUntilApplied with ${what} returned normally; it must throw a retryable StepTimeoutError`);
  const error = ctx.expectRotationError(outcome.error, ['STEP_TIMEOUT'], `waitUntilApplied with ${what}`);
  check(error.retryable, `the StepTimeoutError of waitUntilApplied with ${what} is not retryable`);
  check(
    Date.now() - startedAt <= limitMs,
    `waitUntilApplied with ${what} took ${Date.now() - startedAt} ms to stop`,
  );
}

function rotationCheck(strategy: StrategyId, id: CheckId, title: string): ConformanceCheck {
  return {
    id,
    title,
    async run(ctx) {
      const secretsManager = new InMemorySecretsManager();
      const p0 = ctx.password('the original password');
      const first = await ctx.newUser(p0);
      const value: Record<string, unknown> = { ...first };
      if (strategy === 'alternating-users') {
        await ctx.target.decorateCloneSource?.(first.username);
        if (ctx.capabilities.changeAuthority === 'credentials') {
          const admin = ctx.requireAdmin(id);
          value.masterarn = secretsManager.createSecret('conformance/admin', admin.value, {
            tags: admin.tags ?? {},
          });
        }
      }
      const secretId = secretsManager.createSecret('conformance/app', value);
      const runStep = createRotationStepRunner({
        engine: ctx.engine,
        store: secretsManager,
        logger: ctx.logger,
        strategy,
      });
      const history = [{ username: first.username, password: p0 }];
      for (const round of [1, 2]) {
        try {
          await runRotation(runStep, secretsManager, secretId, { repeatEachStep: true });
        } catch (error) {
          ctx.assertNoLeak(`the error of rotation ${round}`, error);
          fail(`rotation ${round} (${strategy}, every step run twice) failed: ${describeError(error)}`);
        }
        const current = secretsManager.valueAt(secretId, 'AWSCURRENT') as {
          username: string;
          password: string;
        };
        ctx.watch.remember(current.password, `the password of rotation ${round}`);
        const previous = history.at(-1)!;
        check(current.password !== previous.password, `rotation ${round} did not change the password`);
        await ctx.expectLogin(current.username, current.password, true, `AWSCURRENT after rotation ${round}`);
        if (strategy === 'alternating-users') {
          check(current.username !== previous.username, `rotation ${round} did not switch to the other user`);
          await ctx.expectLogin(
            previous.username,
            previous.password,
            true,
            `the previous user after rotation ${round}`,
          );
        } else {
          check(current.username === previous.username, `rotation ${round} changed the username`);
          await ctx.expectLogin(
            previous.username,
            previous.password,
            strategy === 'dual-password',
            `the previous password after rotation ${round}`,
          );
        }
        history.push(current);
      }
      if (strategy === 'alternating-users') {
        check(
          history[2]!.username === first.username,
          'two alternating rotations did not return to the first user',
        );
      }
      if (strategy === 'dual-password') {
        await ctx.expectLogin(first.username, p0, false, 'the original password two rotations later');
      }
      const previousValue = secretsManager.valueAt(secretId, 'AWSPREVIOUS');
      check(previousValue?.password === history[1]!.password, 'AWSPREVIOUS does not hold the previous value');
    },
  };
}

/** All checks, in the order they run. */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  optOuts,
  contract,
  exactPassword,
  previousPassword,
  idempotent,
  missingUser,
  noSecretInErrors,
  passwordPolicy,
  clone,
  waitAbort,
  rotationCheck('single-user', 'rotation-single-user', 'a full single-user rotation through core, twice'),
  rotationCheck(
    'dual-password',
    'rotation-dual-password',
    'a full dual-password rotation through core, twice',
  ),
  rotationCheck(
    'alternating-users',
    'rotation-alternating-users',
    'a full alternating-users rotation through core, twice (there and back)',
  ),
];

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, sortKeys(item)]),
  );
}
