import { generatePassword, RotationError } from '@rotor/core';
import { defineEngine, passwordSatisfiesPolicy, validatePasswordPolicy } from '@rotor/core/engine';
import { check, describeError, fail } from './check-context.js';
import type { ConformanceCheck } from './types.js';
import { ConformanceFailure } from './types.js';

export const contract: ConformanceCheck = {
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

export const exactPassword: ConformanceCheck = {
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

export const previousPassword: ConformanceCheck = {
  id: 'previous-password',
  title: 'old passwords are refused, or kept exactly as passwordsPerUser claims',
  async run(ctx) {
    const p0 = ctx.password('the original password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the first new password');
    if (ctx.capabilities.passwordsPerUser === 1) {
      await ctx.applyPasswords({
        user: ctx.secretFor(user.username, p1),
        passwords: [p1],
        principal: ctx.selfPrincipal(user),
      });
      await ctx.expectLogin(user.username, p1, true, 'the new password');
      await ctx.expectLogin(user.username, p0, false, 'the replaced password (passwordsPerUser: 1)');
      await ctx.expectEngineLogin(user, 'rejected', 'the replaced password (passwordsPerUser: 1)');
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
      'setPasswords([new, old]): the old password (passwordsPerUser: 2)',
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

export const idempotent: ConformanceCheck = {
  id: 'idempotent',
  title: 'every operation run twice with the same input gives the same result',
  async run(ctx) {
    const p0 = ctx.password('the original password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the new password');
    const keepsTwo = ctx.capabilities.passwordsPerUser === 2;
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

export const missingUser: ConformanceCheck = {
  id: 'missing-user',
  title: "a user that does not exist gives the contract's UserNotFoundError and nothing is created",
  async run(ctx) {
    const username = ctx.username();
    const password = ctx.password('the missing user password');
    const missing = ctx.secretFor(username, password);
    await ctx.expectEngineLogin(missing, 'rejected', 'logging in as a user that does not exist');
    if (ctx.engine.preflight) {
      // A preflight that can see users (a control plane) refuses a missing one with UserNotFoundError; one
      // that only checks where the secret points (a credentials engine cannot tell a missing user from a
      // wrong password before logging in) may pass, but must not fail with anything else.
      const error = await ctx.preflight(missing).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      if (error !== undefined)
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

export const noSecretInErrors: ConformanceCheck = {
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

export const passwordPolicy: ConformanceCheck = {
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
