import { createRotationStepRunner, generatePassword, ROTATION_STEPS, RotationError } from '@rotor/core';
import {
  allowedCharacterClasses,
  type EngineSecret,
  passwordSatisfiesPolicy,
  toggleCloneSuffix,
} from '@rotor/core/engine';
import { InMemorySecretsManager } from '../in-memory-secrets-manager.js';
import { type CheckContext, check, describeError, fail } from './check-context.js';
import {
  expectRotationFailure,
  logsInWithOddPassword,
  notApplicable,
  requireCredentialsEngine,
  requireHarness,
} from './hostile-support.js';
import { type ConformanceCheck, ConformanceFailure } from './types.js';

/** Usernames that need quoting, case-keeping and byte counting, each with what it tests. */
function hostileUsernames(prefix: string, maxBytes: number): { name: string; what: string }[] {
  const names = [
    { name: `${prefix}_dq"uote`, what: 'a double quote' },
    { name: `${prefix}_sq'uote`, what: 'a single quote' },
    { name: `${prefix}_Upper_Case`, what: 'upper case' },
    { name: `${prefix}_with space`, what: 'a space' },
    { name: `${prefix}_ünïcødé`, what: 'non-ASCII letters' },
  ];
  const stem = `${prefix}_long_`;
  names.push({
    name: stem + 'x'.repeat(Math.max(0, maxBytes - Buffer.byteLength(stem))),
    what: 'the longest name',
  });
  return names;
}

/** The user's secret with another username; a secret schema that refuses it refuses the name up front. */
function secretNamed<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  username: string,
  password: string,
): TSecret | undefined {
  try {
    const secret = ctx.secretFor(username, password);
    return ctx.engine.secretSchema.safeParse(secret).success ? secret : undefined;
  } catch {
    return undefined; // the target's own secretFor refuses the name
  }
}

export const hostileUsernamesCheck: ConformanceCheck = {
  id: 'hostile-usernames',
  title:
    'usernames with quotes, upper case, spaces, non-ASCII letters and the longest length work or are refused up front; one byte longer never touches another user',
  async run(ctx) {
    const maxBytes = requireHarness(ctx, 'maxUsernameBytes', 'the longest username the target accepts');
    const prefix = ctx.username();
    let worked = 0;
    for (const { name, what } of hostileUsernames(prefix, maxBytes)) {
      const p0 = ctx.password(`the original password of the user with ${what}`);
      if (!secretNamed(ctx, name, p0)) continue; // refused by the schema, before anything runs
      try {
        await ctx.target.createUser(name, p0);
      } catch {
        continue; // the target itself has no such users
      }
      worked += 1;
      await ctx.expectLogin(name, p0, true, `the user with ${what}, as the target created it`);
      const p1 = ctx.password(`the new password of the user with ${what}`);
      try {
        await ctx.applyPasswords({
          user: ctx.secretFor(name, p1),
          passwords: [p1],
          principal: ctx.selfPrincipal(ctx.secretFor(name, p0)),
        });
      } catch (error) {
        if (error instanceof ConformanceFailure) throw error;
        fail(`setPasswords for a username with ${what} failed: ${describeError(error)}`);
      }
      await ctx.expectLogin(name, p1, true, `a username with ${what}, after setPasswords`);
      await ctx.expectLogin(name, p0, false, `a username with ${what}: the replaced password`);
      await ctx.expectEngineLogin(
        ctx.secretFor(name, p1),
        'accepted',
        `engine.login for a username with ${what}`,
      );
      if (ctx.capabilities.canCloneUsers) {
        const source = ctx.secretFor(name, p1);
        const engine = ctx.engine;
        const fields = (engine.canCloneUsers
          ? engine.alternateUser?.({ user: source }).fields
          : undefined) ?? {
          username: toggleCloneSuffix(name),
        };
        const p2 = ctx.password(`the clone password of the user with ${what}`);
        const clone = { ...source, ...fields, password: p2 } as typeof source;
        if (!ctx.engine.secretSchema.safeParse(clone).success) continue;
        try {
          await ctx.applyClone({ source, target: clone, principal: ctx.adminPrincipal('hostile-usernames') });
        } catch (error) {
          if (error instanceof ConformanceFailure) throw error;
          fail(`cloneUser from a username with ${what} failed: ${describeError(error)}`);
        }
        await ctx.expectLogin(clone.username, p2, true, `the clone of a username with ${what}`);
      }
    }
    check(worked > 0, 'the target created none of the hostile usernames, so nothing was checked');
    // One byte over the limit: a server that truncates names would otherwise change the user named by the
    // first `maxBytes` bytes.
    const longest = `${prefix}_over_`.padEnd(maxBytes, 'y');
    const p0 = ctx.password('the password of the user at the length limit');
    await ctx.target.createUser(longest, p0);
    const over = `${longest}z`;
    const p1 = ctx.password('the password sent for a name over the limit');
    const secret = secretNamed(ctx, over, p1);
    if (secret) {
      await ctx
        .applyPasswords({
          user: secret,
          passwords: [p1],
          principal: ctx.selfPrincipal(ctx.secretFor(over, p0)),
        })
        .catch((error: unknown) => {
          if (error instanceof ConformanceFailure) throw error;
        });
    }
    await ctx.expectLogin(
      longest,
      p0,
      true,
      'the user whose name is the first bytes of a name over the limit',
    );
    await ctx.expectLogin(longest, p1, false, 'a name over the limit must not change a shorter user');
  },
};

/** Passwords at and beyond the policy: what clients cannot send, what the policy never produces. */
function oddPasswords(ctx: CheckContext<EngineSecret>): { password: string; what: string }[] {
  const policy = ctx.engine.passwordPolicy;
  const base = generatePassword(policy);
  const excluded = [...policy.excludeCharacters];
  return [
    { password: '', what: 'an empty password' },
    { password: `${base.slice(0, 8)}\u0000${base.slice(8)}`, what: 'a password with NUL' },
    // Characters SASLprep maps or removes (a ligature, a no-break space, a soft hyphen), all assigned in Unicode 3.2:
    // a client that normalises sends another password than the one hashed as is, so an engine that stores a
    // verifier of the raw bytes locks the user out (an unassigned character would make clients skip SASLprep).
    { password: `${base.slice(0, -4)}\uFB01\u00A0\u00ADé`, what: 'a password with non-ASCII characters' },
    {
      password: `${base}${base}${base}${base}${base}`
        .padEnd(policy.maxLength + 1, 'k')
        .slice(0, policy.maxLength + 1),
      what: 'a password one character longer than the policy allows',
    },
    ...(excluded.length > 0
      ? [
          {
            password: `${excluded.join('')}${base}`.slice(0, policy.length),
            what: 'a password of excluded characters',
          },
        ]
      : []),
  ];
}

export const badPasswordsCheck: ConformanceCheck = {
  id: 'bad-passwords',
  title:
    'a password outside the policy (empty, NUL, non-ASCII, too long, excluded characters) is set so that it logs in, or refused with a non-retryable error before anything changes',
  async run(ctx) {
    for (const { password, what } of oddPasswords(ctx as CheckContext<EngineSecret>)) {
      ctx.watch.remember(password, what);
      const p0 = ctx.password(`the password before ${what}`);
      const user = await ctx.newUser(p0);
      // Core parses every secret with the engine's schema first: a schema that refuses it refuses it up front.
      if (!ctx.engine.secretSchema.safeParse(ctx.secretFor(user.username, password)).success) continue;
      let refused: unknown;
      try {
        await ctx.applyPasswords({
          user: ctx.secretFor(user.username, password),
          passwords: [password],
          principal: ctx.selfPrincipal(user),
        });
      } catch (error) {
        if (error instanceof ConformanceFailure) throw error;
        refused = error;
      }
      if (refused === undefined) {
        check(
          await logsInWithOddPassword((u, p) => ctx.target.canLogin(u, p), user.username, password),
          `setPasswords accepted ${what}, but the user cannot log in with it: no client can use this password, the user is locked out`,
        );
        continue;
      }
      check(
        RotationError.isInstance(refused) && !refused.retryable,
        `setPasswords with ${what} should be refused with a non-retryable RotationError (a retry cannot make it valid), not ${describeError(refused)}${RotationError.isInstance(refused) ? ` (retryable: ${refused.retryable})` : ''}`,
      );
      check(
        ['INVALID_SECRET', 'INVALID_CONFIGURATION'].includes(refused.code),
        `setPasswords with ${what} should be refused as INVALID_SECRET (the secret's password is unusable), not ${refused.code}`,
      );
      await ctx.expectLogin(user.username, p0, true, `after refusing ${what}: the password it had`);
    }
  },
};

export const stagedBadPasswordCheck: ConformanceCheck = {
  id: 'staged-bad-password',
  title:
    'a single-user rotation whose AWSPENDING was staged beforehand with an unusable password never ends with a password the server refuses',
  async run(ctx) {
    const runs = oddPasswords(ctx as CheckContext<EngineSecret>).slice(0, 3);
    for (const { password, what } of runs) {
      ctx.watch.remember(password, what);
      const secretsManager = new InMemorySecretsManager();
      const p0 = ctx.password(`the password before a rotation to ${what}`);
      const user = await ctx.newUser(p0);
      const secretId = secretsManager.createSecret('conformance/staged', { ...user });
      const runStep = createRotationStepRunner({
        engine: ctx.engine,
        store: secretsManager,
        logger: ctx.logger,
        strategy: 'single-user',
      });
      // What an operator (or an attacker with PutSecretValue) can do before rotating: stage the next value.
      const token = secretsManager.startRotation(secretId);
      secretsManager.setRawValue(secretId, 'AWSPENDING', JSON.stringify({ ...user, password }));
      let failure: unknown;
      try {
        for (const Step of ROTATION_STEPS)
          await runStep({ Step, SecretId: secretId, ClientRequestToken: token });
        secretsManager.completeRotation(secretId);
      } catch (error) {
        ctx.assertNoLeak(`the error of a rotation to ${what}`, error);
        failure = error;
      }
      const current = secretsManager.valueAt(secretId, 'AWSCURRENT') as {
        username: string;
        password: string;
      };
      const works = await logsInWithOddPassword(
        (u, p) => ctx.target.canLogin(u, p),
        current.username,
        current.password,
      );
      check(
        works,
        `a rotation to a staged AWSPENDING with ${what} ${failure === undefined ? 'completed' : `failed (${describeError(failure)})`} and left AWSCURRENT with a password the server refuses: the user is locked out`,
      );
      if (failure !== undefined) {
        await ctx.expectLogin(
          user.username,
          p0,
          true,
          `after a failed rotation to ${what}: the original password`,
        );
        check(
          RotationError.isInstance(failure) && !failure.retryable,
          `a rotation to a staged ${what} should fail for good (non-retryable), not ${describeError(failure)}`,
        );
      }
    }
  },
};

export const extraPasswordsCheck: ConformanceCheck = {
  id: 'extra-passwords',
  title:
    'setPasswords with no password or more passwords than passwordsPerUser is refused (non-retryable) and changes nothing',
  async run(ctx) {
    const max = ctx.capabilities.passwordsPerUser;
    const p0 = ctx.password('the current password');
    const user = await ctx.newUser(p0);
    const extra = Array.from({ length: max + 1 }, (_, index) => ctx.password(`extra password #${index + 1}`));
    for (const passwords of [extra, []]) {
      const first = passwords[0] ?? p0;
      await expectRotationFailure(
        ctx,
        ctx.setPasswords({
          user: ctx.secretFor(user.username, first),
          passwords,
          principal: ctx.selfPrincipal(user),
        }),
        {
          codes: ['INVALID_CONFIGURATION', 'INVALID_SECRET'],
          retryable: false,
          what: `setPasswords with ${passwords.length} passwords (passwordsPerUser: ${max})`,
        },
      );
      await ctx.expectLogin(user.username, p0, true, `after refusing ${passwords.length} passwords`);
      for (const password of passwords) {
        await ctx.expectLogin(user.username, password, false, `after refusing ${passwords.length} passwords`);
      }
    }
  },
};

export const otherUsersPrincipalCheck: ConformanceCheck = {
  id: 'other-users-principal',
  title:
    "a `self` principal may change only its own password: another user's, even the admin's credentials, are refused (PERMISSION_DENIED or INVALID_SECRET)",
  async run(ctx) {
    requireCredentialsEngine(ctx, 'a `self` principal');
    const v0 = ctx.password("the victim's password");
    const victim = await ctx.newUser(v0);
    const intruder = await ctx.newUser(ctx.password("the intruder's password"));
    const principals = [{ who: 'another user', secret: intruder }];
    const admin = ctx.target.admin;
    if (admin) {
      const { username, password } = admin.value as { username: string; password: string };
      principals.push({ who: 'the admin', secret: { ...ctx.secretFor(username, password), ...admin.value } });
    }
    for (const { who, secret } of principals) {
      const next = ctx.password(`the password ${who} tried to set`);
      await expectRotationFailure(
        ctx,
        ctx.setPasswords({
          user: ctx.secretFor(victim.username, next),
          passwords: [next],
          principal: { kind: 'self', secret },
        }),
        {
          codes: ['PERMISSION_DENIED', 'INVALID_SECRET'],
          retryable: false,
          what: `setPasswords on another user as ${who} (kind: self)`,
        },
      );
      await ctx.expectLogin(
        victim.username,
        v0,
        true,
        `after ${who} tried to change it: the victim's password`,
      );
      await ctx.expectLogin(
        victim.username,
        next,
        false,
        `after ${who} tried to change it: the password it tried`,
      );
    }
  },
};

export const policyPromisesCheck: ConformanceCheck = {
  id: 'policy-promises',
  title:
    "the policy's promises hold for core's generator and GetRandomPassword (no excluded character, every required class), and a password using every allowed character logs in",
  async run(ctx) {
    const policy = ctx.engine.passwordPolicy;
    const classes = allowedCharacterClasses(policy);
    const excluded = new Set(policy.excludeCharacters);
    const store = new InMemorySecretsManager();
    for (let index = 0; index < 200; index += 1) {
      const password = index % 2 === 0 ? generatePassword(policy) : await store.getRandomPassword(policy);
      const source = index % 2 === 0 ? "core's generator" : 'GetRandomPassword';
      check(
        password.length === policy.length,
        `${source} made a password of ${password.length} characters, not ${policy.length}`,
      );
      const bad = [...password].filter((character) => excluded.has(character));
      check(bad.length === 0, `${source} made a password with excluded characters (${bad.length})`);
      check(passwordSatisfiesPolicy(password, policy), `${source} made a password outside the policy`);
      if (policy.requireEachIncludedType) {
        for (const characters of classes) {
          check(
            [...password].some((c) => characters.includes(c)),
            `${source} left out a required character class`,
          );
        }
      }
    }
    // Every character the policy allows, in passwords of the policy's length: the server must take each one.
    const alphabet = classes.join('');
    if (alphabet.length === 0) notApplicable('the policy allows no character');
    let current = await ctx.newUser(ctx.password('the original password'));
    for (let start = 0; start < alphabet.length; start += policy.length) {
      const password = alphabet.slice(start, start + policy.length).padEnd(policy.length, alphabet[0]);
      ctx.watch.remember(password, 'a password of allowed characters');
      const next = ctx.secretFor(current.username, password);
      try {
        await ctx.applyPasswords({
          user: next,
          passwords: [password],
          principal: ctx.selfPrincipal(current),
        });
      } catch (error) {
        if (error instanceof ConformanceFailure) throw error;
        fail(
          `setPasswords refused a password of allowed characters (from position ${start}): ${describeError(error)}`,
        );
      }
      await ctx.expectLogin(
        current.username,
        password,
        true,
        `a password of allowed characters (from position ${start})`,
      );
      current = next;
    }
  },
};
