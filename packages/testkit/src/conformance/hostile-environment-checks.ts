import { RotationError } from '@rotor/core';
import type { EngineSecret } from '@rotor/core/engine';
import { type CheckContext, check, describeError } from './check-context.js';
import {
  cloneOf,
  expectRotationFailure,
  locationKeys,
  notApplicable,
  requireCredentialsEngine,
  requireHarness,
} from './hostile-support.js';
import type { ConformanceCheck } from './types.js';

/** An admin principal with another value (wrong password, another server) than the target's admin. */
function adminWith<TSecret extends EngineSecret>(ctx: CheckContext<TSecret>, value: Record<string, unknown>) {
  const principal = ctx.adminPrincipal('admin checks');
  if (principal.kind !== 'admin') return principal;
  return { kind: 'admin' as const, admin: { ...principal.admin, value } };
}

export const wrongAdminPasswordCheck: ConformanceCheck = {
  id: 'wrong-admin-password',
  title:
    'an admin secret with a wrong password is CREDENTIAL_REJECTED (non-retryable): no password set, no clone made',
  async run(ctx) {
    requireCredentialsEngine(ctx, 'an admin secret');
    const admin = ctx.requireAdmin('wrong-admin-password');
    const wrong = ctx.password('a wrong admin password');
    const principal = adminWith(ctx, { ...admin.value, password: wrong });
    const p0 = ctx.password('the current password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the new password');
    await expectRotationFailure(
      ctx,
      ctx.setPasswords({ user: ctx.secretFor(user.username, p1), passwords: [p1], principal }),
      {
        codes: ['CREDENTIAL_REJECTED'],
        retryable: false,
        what: 'setPasswords as an admin with a wrong password',
      },
    );
    await ctx.expectLogin(user.username, p0, true, 'after a refused admin: the current password');
    await ctx.expectLogin(user.username, p1, false, 'after a refused admin: the new password');
    if (!ctx.capabilities.canCloneUsers) return;
    const clone = cloneOf(ctx, user, p1);
    await expectRotationFailure(ctx, ctx.cloneUser({ source: user, target: clone, principal }), {
      codes: ['CREDENTIAL_REJECTED'],
      retryable: false,
      what: 'cloneUser as an admin with a wrong password',
    });
    await ctx.expectLogin(clone.username, p1, false, 'the clone a refused admin tried to make');
  },
};

export const adminElsewhereCheck: ConformanceCheck = {
  id: 'admin-elsewhere',
  title:
    "an admin secret for another server is refused (INVALID_SECRET) before its credentials go anywhere; one naming no server works on the user's, one naming another database works there",
  async run(ctx) {
    requireCredentialsEngine(ctx, 'an admin secret');
    const admin = ctx.requireAdmin('admin-elsewhere');
    const other = requireHarness(
      ctx,
      'otherServer',
      'a second server, where an admin secret may point by mistake',
    );
    check(other.admin, 'harness.otherServer must provide the admin value that works on the second server');
    const p0 = ctx.password('the current password');
    const user = await ctx.newUser(p0);
    // The same username exists on the other server, so an engine that goes there would find someone to change.
    const o0 = ctx.password("the password of the other server's namesake");
    await other.createUser(user.username, o0);
    const p1 = ctx.password('the new password');
    const elsewhere = adminWith(ctx, other.admin.value);
    await expectRotationFailure(
      ctx,
      ctx.setPasswords({ user: ctx.secretFor(user.username, p1), passwords: [p1], principal: elsewhere }),
      {
        codes: ['INVALID_SECRET'],
        retryable: false,
        what: 'setPasswords with an admin secret for another server',
      },
    );
    await ctx.expectLogin(user.username, p0, true, 'after refusing an admin elsewhere: the current password');
    check(await other.canLogin(user.username, o0), "the admin elsewhere changed the other server's namesake");
    if (ctx.capabilities.canCloneUsers) {
      const clone = cloneOf(ctx, user, p1);
      await expectRotationFailure(ctx, ctx.cloneUser({ source: user, target: clone, principal: elsewhere }), {
        codes: ['INVALID_SECRET'],
        retryable: false,
        what: 'cloneUser with an admin secret for another server',
      });
      await ctx.expectLogin(clone.username, p1, false, 'a clone asked of an admin elsewhere, on the target');
      check(
        !(await other.canLogin(clone.username, p1)),
        'a clone asked of an admin elsewhere was made there',
      );
    }
    // An admin secret with only credentials works where its user lives (AWS's functions default the same way).
    const bare = Object.fromEntries(
      Object.entries(admin.value).filter(([key]) => !locationKeys(ctx).includes(key)),
    );
    const bareChange = ctx.applyPasswords({
      user: ctx.secretFor(user.username, p1),
      passwords: [p1],
      principal: adminWith(ctx, bare),
    });
    if (ctx.target.harness?.adminDefaultsToUsersServer) {
      await bareChange;
      await ctx.expectLogin(
        user.username,
        p1,
        true,
        'after setPasswords by an admin secret naming no server',
      );
    } else {
      const refused = await bareChange.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (refused === undefined) {
        await ctx.expectLogin(
          user.username,
          p1,
          true,
          'after setPasswords by an admin secret naming no server',
        );
      } else {
        ctx.expectRotationError(refused, ['INVALID_SECRET'], 'an admin secret naming no server');
        await ctx.expectLogin(user.username, p0, true, 'after refusing an admin secret naming no server');
      }
    }
    const inOtherDatabase = ctx.target.harness?.adminInOtherDatabase;
    if (inOtherDatabase) {
      const p2 = ctx.password('the password set by an admin in another database');
      await ctx.applyPasswords({
        user: ctx.secretFor(user.username, p2),
        passwords: [p2],
        principal: adminWith(ctx, inOtherDatabase),
      });
      await ctx.expectLogin(
        user.username,
        p2,
        true,
        'after setPasswords by an admin secret naming another database',
      );
    }
  },
};

export const targetDownCheck: ConformanceCheck = {
  id: 'target-down',
  title:
    'a target that refuses connections is ENGINE_UNAVAILABLE (retryable) for login and setPasswords, never a refused login',
  async run(ctx) {
    if (ctx.capabilities.changeAuthority === 'control-plane' && !ctx.target.harness?.downEndpoint) {
      notApplicable('a control-plane engine finds its data plane through the control plane, not the secret');
    }
    const down = requireHarness(ctx, 'downEndpoint', 'an allowed endpoint where nothing listens');
    const p0 = ctx.password('the password sent nowhere');
    const secret = { ...ctx.secretFor(ctx.username(), p0), ...down };
    const expected = { codes: ['ENGINE_UNAVAILABLE'] as const, retryable: true };
    await expectRotationFailure(ctx, ctx.login(secret), {
      ...expected,
      what: 'engine.login against a server that is down',
    });
    const p1 = ctx.password('the new password sent nowhere');
    await expectRotationFailure(
      ctx,
      ctx.setPasswords({
        user: { ...secret, password: p1 },
        passwords: [p1],
        principal: ctx.selfPrincipal(secret),
      }),
      { ...expected, what: 'setPasswords against a server that is down' },
    );
  },
};

export const targetBusyCheck: ConformanceCheck = {
  id: 'target-busy',
  title:
    'a busy target (too many connections) is ENGINE_UNAVAILABLE (retryable), not a refused login or a credential error, and nothing changes',
  async run(ctx) {
    const makeBusy = requireHarness(ctx, 'makeBusy', 'a way to make the target turn sessions away as busy');
    const p0 = ctx.password('the current password');
    const user = await ctx.newUser(p0);
    const p1 = ctx.password('the new password');
    const expected = { codes: ['ENGINE_UNAVAILABLE'] as const, retryable: true };
    const release = await makeBusy(user.username);
    try {
      await expectRotationFailure(ctx, ctx.login(user), {
        ...expected,
        what: 'engine.login while the target is busy',
      });
      // A control-plane engine changes passwords through its API, which a busy data plane does not stop.
      if (ctx.capabilities.changeAuthority === 'credentials')
        await expectRotationFailure(
          ctx,
          ctx.setPasswords({
            user: ctx.secretFor(user.username, p1),
            passwords: [p1],
            principal: ctx.selfPrincipal(user),
          }),
          { ...expected, what: 'setPasswords while the target is busy' },
        );
    } finally {
      await release();
    }
    await ctx.expectLogin(user.username, p0, true, 'once the target is no longer busy: the current password');
    await ctx.expectLogin(user.username, p1, false, 'once the target is no longer busy: the new password');
  },
};

/**
 * A certificate that does not verify is no verdict on the password. It is unavailable (retryable: core's class for
 * TLS failures) or an engine failure (not retryable: an engine that counts an unreachable endpoint as "not
 * proven", as ElastiCache does with the caches it finds, must never count an impostor so); never a refused or
 * accepted login, never a bad secret.
 */
async function expectUntrustedRefusal<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  operation: Promise<unknown>,
  what: string,
): Promise<void> {
  await expectRotationFailure(ctx, operation, {
    codes: ['ENGINE_UNAVAILABLE', 'ENGINE_FAILED'],
    retryable: true,
    what,
    retryableFromCode: (code) => code === 'ENGINE_UNAVAILABLE',
  });
}

export const untrustedTlsCheck: ConformanceCheck = {
  id: 'untrusted-tls',
  title:
    'a server whose TLS certificate cannot be verified is refused: no login accepted or rejected there, no password changed',
  async run(ctx) {
    const server = requireHarness(
      ctx,
      'untrustedTlsServer',
      'a TLS server with a certificate the engine must refuse',
    );
    const username = ctx.username();
    const p0 = ctx.password('the password on the untrusted server');
    await server.createUser(username, p0);
    const secret = server.secretFor(username, p0);
    await expectUntrustedRefusal(
      ctx,
      ctx.login(secret),
      'engine.login to a server with an untrusted certificate',
    );
    const p1 = ctx.password('the new password for the untrusted server');
    await expectUntrustedRefusal(
      ctx,
      ctx.setPasswords({
        user: server.secretFor(username, p1),
        passwords: [p1],
        principal: ctx.selfPrincipal(secret),
      }),
      'setPasswords on a server with an untrusted certificate',
    );
    check(await server.canLogin(username, p0), 'the untrusted server: the password changed');
  },
};

export const cloneHalfwayCheck: ConformanceCheck = {
  id: 'clone-halfway',
  title: 'a clone that fails halfway leaves nothing half-made: the clone does not log in and is as it was',
  async run(ctx) {
    if (!ctx.capabilities.canCloneUsers)
      notApplicable('the engine does not clone users (canCloneUsers: false)');
    // An API without transactions cannot undo a half-made clone; the contract asks for idempotent retries there.
    requireCredentialsEngine(ctx, 'a transactional clone');
    const breakClone = requireHarness(ctx, 'breakClone', 'a way to make a clone fail after its first change');
    const describe = ctx.target.describeCloneable;
    check(describe, 'the target must provide describeCloneable(username) for this check');
    const source = await ctx.newUser(ctx.password('the source password'));
    await ctx.target.decorateCloneSource?.(source.username);
    const p1 = ctx.password('the clone password');
    const clone = cloneOf(ctx, source, p1);
    await breakClone(source.username, clone.username);
    const before = JSON.stringify(await describe.call(ctx.target, clone.username));
    const error = await ctx.expectFailure(
      ctx.applyClone({ source, target: clone, principal: ctx.adminPrincipal('clone-halfway') }),
      'cloneUser that fails halfway',
    );
    check(
      RotationError.isInstance(error),
      `a clone that fails halfway should throw a RotationError, not ${describeError(error)}`,
    );
    await ctx.expectLogin(clone.username, p1, false, 'a clone that failed halfway');
    const after = JSON.stringify(await describe.call(ctx.target, clone.username));
    check(
      after === before,
      `a clone that failed halfway changed the clone: before ${before}, after ${after}`,
    );
  },
};
