/**
 * The service-managed admin secret (an RDS-managed master secret, a Redshift-managed admin secret): it names no
 * host, and its tags (contract v2's `AdminSecret.readTags()`) name the resource it belongs to. The engine must
 * trust nothing it says about where to connect: the tag's ARN must lie in the function's account and region
 * before anything is asked, the control plane says where the resource is, and that must be the user's server.
 */
import type { RotationErrorCode } from '@rotor/core';
import { type EngineSecret, type FunctionScope, type Principal, parseArn } from '@rotor/core/engine';
import { type CheckContext, check, fail } from './check-context.js';
import type { ManagedAdmin, ManagedAdminSecret, OtherServer } from './harness.js';
import {
  cloneOf,
  expectRotationFailure,
  locationKeys,
  requireCredentialsEngine,
  requireHarness,
} from './hostile-support.js';
import type { ConformanceCheck } from './types.js';

const MANAGED_ADMIN_SECRET_ID =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:conformance/managed-admin';

function managedPrincipal<TSecret extends EngineSecret>(
  secret: ManagedAdminSecret,
  tags: Record<string, string>,
): Principal<TSecret> {
  return {
    kind: 'admin',
    admin: { secretId: MANAGED_ADMIN_SECRET_ID, value: secret.value, readTags: async () => ({ ...tags }) },
  };
}

function inScope(value: string, scope: FunctionScope): boolean {
  const arn = parseArn(value);
  return (
    arn !== undefined &&
    arn.partition === scope.partition &&
    arn.accountId === scope.accountId &&
    arn.region === scope.region
  );
}

/** The same tags with every ARN of the function's scope moved to another account or region. */
function movedTags(
  tags: Record<string, string>,
  scope: FunctionScope,
  to: 'account' | 'region',
): Record<string, string> {
  const otherAccount = scope.accountId === '210987654321' ? '123456789012' : '210987654321';
  const otherRegion = scope.region === 'eu-west-1' ? 'us-west-2' : 'eu-west-1';
  return Object.fromEntries(
    Object.entries(tags).map(([key, value]) => {
      const arn = parseArn(value);
      if (!arn || !inScope(value, scope)) return [key, value];
      const accountId = to === 'account' ? otherAccount : arn.accountId;
      const region = to === 'region' ? otherRegion : arn.region;
      return [key, `arn:${arn.partition}:${arn.service}:${region}:${accountId}:${arn.resource}`];
    }),
  );
}

interface Refusal {
  what: string;
  tags: Record<string, string>;
  codes: readonly RotationErrorCode[];
  /** An ARN outside the function's scope is refused before any control-plane request. */
  beforeControlPlane: boolean;
  /** Where the control plane places the tagged resource, if elsewhere: it must not change there either. */
  elsewhere?: OtherServer<EngineSecret> | undefined;
}

async function checkManagedSecret<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  managed: ManagedAdmin,
  secret: ManagedAdminSecret,
  scope: FunctionScope,
): Promise<void> {
  ctx.watch.remember(secret.value.password, `the password of ${secret.name}`);
  const located = Object.keys(secret.value).filter((key) => locationKeys(ctx).includes(key));
  check(
    located.length === 0,
    `harness.managedAdmin: ${secret.name} must name no server (it has ${located.join(', ')}); its tags say where it belongs`,
  );
  check(
    Object.values(secret.tags).some((value) => inScope(value, scope)),
    `harness.managedAdmin: the tags of ${secret.name} must name the target's resource by an ARN in the function's scope (${scope.partition}, ${scope.region}, ${scope.accountId})`,
  );
  const other = ctx.target.harness?.otherServer as OtherServer<EngineSecret> | undefined;
  const p0 = ctx.password('the current password');
  const user = await ctx.newUser(p0);
  // The same username on the server the other resource is at, so an engine that goes there finds someone to change.
  const o0 = ctx.password("the password of the other server's namesake");
  await other?.createUser(user.username, o0);
  const p1 = ctx.password('the new password');
  const refusals: Refusal[] = [
    {
      what: `${secret.name} tagged with a resource of another account`,
      tags: movedTags(secret.tags, scope, 'account'),
      codes: ['INVALID_SECRET', 'INVALID_CONFIGURATION'],
      beforeControlPlane: true,
    },
    {
      what: `${secret.name} tagged with a resource of another region`,
      tags: movedTags(secret.tags, scope, 'region'),
      codes: ['INVALID_SECRET', 'INVALID_CONFIGURATION'],
      beforeControlPlane: true,
    },
    {
      what: `${secret.name} tagged with another resource of the function's account`,
      tags: secret.otherResourceTags,
      codes: ['INVALID_SECRET'],
      beforeControlPlane: false,
      elsewhere: other,
    },
  ];
  for (const refusal of refusals) {
    await expectRefused(ctx, managed, secret, refusal, user, p0, p1);
    if (refusal.elsewhere) {
      check(
        await refusal.elsewhere.canLogin(user.username, o0),
        `${refusal.what}: the namesake on the server the other resource is at was changed`,
      );
    }
  }
  // Naming no host and no resource: it works on the user's own server where admins default there, else refused.
  const untagged = `${secret.name} without its tags`;
  let current = p0;
  if (ctx.target.harness?.adminDefaultsToUsersServer) {
    await ctx.applyPasswords({
      user: ctx.secretFor(user.username, p1),
      passwords: [p1],
      principal: managedPrincipal(secret, {}),
    });
    await ctx.expectLogin(
      user.username,
      p1,
      true,
      `after setPasswords as ${untagged} (admins default to the user's server)`,
    );
    current = p1;
  } else {
    await expectRefused(
      ctx,
      managed,
      secret,
      { what: untagged, tags: {}, codes: ['INVALID_SECRET'], beforeControlPlane: false },
      user,
      p0,
      p1,
    );
  }
  // The secret as the service tags it works, on the user's server.
  const p2 = ctx.password(`the password set as ${secret.name}`);
  const principal = managedPrincipal<TSecret>(secret, secret.tags);
  await ctx.applyPasswords({ user: ctx.secretFor(user.username, p2), passwords: [p2], principal });
  await ctx.expectLogin(user.username, p2, true, `after setPasswords as ${secret.name}`);
  // The list of passwords is exact: the one before is gone.
  await ctx.expectLogin(
    user.username,
    current,
    false,
    `after setPasswords as ${secret.name}: the password before`,
  );
  if (other)
    check(
      await other.canLogin(user.username, o0),
      `setPasswords as ${secret.name} changed the other server's namesake`,
    );
  if (!ctx.capabilities.canCloneUsers) return;
  const p3 = ctx.password(`the clone's password, set as ${secret.name}`);
  const clone = cloneOf(ctx, user, p3);
  await ctx.applyClone({ source: ctx.secretFor(user.username, p2), target: clone, principal });
  await ctx.expectLogin(clone.username, p3, true, `the clone made as ${secret.name}`);
  await ctx.expectLogin(
    clone.username,
    ctx.password('a password never set'),
    false,
    `the clone made as ${secret.name}, with a password never set`,
  );
}

/** setPasswords (and cloneUser) as a managed admin with `refusal.tags` are refused, and nothing changes. */
async function expectRefused<TSecret extends EngineSecret>(
  ctx: CheckContext<TSecret>,
  managed: ManagedAdmin,
  secret: ManagedAdminSecret,
  refusal: Refusal,
  user: TSecret,
  p0: string,
  p1: string,
): Promise<void> {
  const principal = managedPrincipal<TSecret>(secret, refusal.tags);
  const before = managed.controlPlaneCalls();
  const noControlPlane = (operation: string) => {
    const calls = managed.controlPlaneCalls() - before;
    if (refusal.beforeControlPlane && calls !== 0) {
      fail(
        `${operation} as ${refusal.what}: the engine made ${calls} control-plane request(s) about a resource outside the function's account and region; such an ARN must be refused before any call`,
      );
    }
  };
  await expectRotationFailure(
    ctx,
    ctx.setPasswords({ user: ctx.secretFor(user.username, p1), passwords: [p1], principal }),
    { codes: refusal.codes, retryable: false, what: `setPasswords as ${refusal.what}` },
  );
  noControlPlane('setPasswords');
  await ctx.expectLogin(user.username, p0, true, `after refusing ${refusal.what}: the current password`);
  await ctx.expectLogin(user.username, p1, false, `after refusing ${refusal.what}: the new password`);
  if (!ctx.capabilities.canCloneUsers) return;
  const clone = cloneOf(ctx, user, p1);
  await expectRotationFailure(ctx, ctx.cloneUser({ source: user, target: clone, principal }), {
    codes: refusal.codes,
    retryable: false,
    what: `cloneUser as ${refusal.what}`,
  });
  noControlPlane('cloneUser');
  await ctx.expectLogin(clone.username, p1, false, `the clone asked of ${refusal.what}`);
  if (refusal.elsewhere) {
    check(
      !(await refusal.elsewhere.canLogin(clone.username, p1)),
      `the clone asked of ${refusal.what} was made on the server the other resource is at`,
    );
  }
}

/**
 * An admin secret that names its server says where it belongs: its tags cost a Secrets Manager call per step
 * (DescribeSecret, decision 0093), so the engine must not ask for them.
 */
async function expectTagsUnasked<TSecret extends EngineSecret>(ctx: CheckContext<TSecret>): Promise<void> {
  const admin = ctx.requireAdmin('managed-admin');
  if (!Object.keys(admin.value).some((key) => locationKeys(ctx).includes(key))) return;
  const p0 = ctx.password('the current password');
  const user = await ctx.newUser(p0);
  const p1 = ctx.password('the password set by an admin naming its server');
  const principal = ctx.adminPrincipal('managed-admin');
  let asked = 0;
  const counted: Principal<TSecret> =
    principal.kind === 'admin'
      ? {
          kind: 'admin',
          admin: {
            ...principal.admin,
            readTags: () => {
              asked += 1;
              return principal.admin.readTags();
            },
          },
        }
      : principal;
  await ctx.applyPasswords({ user: ctx.secretFor(user.username, p1), passwords: [p1], principal: counted });
  await ctx.expectLogin(user.username, p1, true, 'after setPasswords by an admin secret naming its server');
  await ctx.expectLogin(
    user.username,
    p0,
    false,
    'after setPasswords by an admin secret naming its server: the password before',
  );
  check(
    asked === 0,
    `an admin secret that names its server was asked for its tags (${asked} time(s)); they cost a DescribeSecret per step and are only for an admin secret naming no host`,
  );
}

export const managedAdminCheck: ConformanceCheck = {
  id: 'managed-admin',
  title:
    "a service-managed admin secret (no host) works where its tags name the user's server; tags naming another account or region (refused before any control-plane call), another resource, or nothing (unless admins default to the user's server) are refused and change nothing; an admin naming its server is not asked for tags",
  async run(ctx) {
    requireCredentialsEngine(ctx, 'a service-managed admin secret');
    const managed = requireHarness(
      ctx,
      'managedAdmin',
      'service-managed admin secrets (no host, located by their tags) and the control plane that locates them',
    );
    check(
      managed.secrets.length > 0,
      'harness.managedAdmin.secrets must hold at least one managed admin secret',
    );
    const scope = ctx.stepContext().functionScope;
    check(scope, "the kit's step context has no function scope");
    for (const secret of managed.secrets) await checkManagedSecret(ctx, managed, secret, scope);
    await expectTagsUnasked(ctx);
  },
};
