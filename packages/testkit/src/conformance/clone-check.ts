import { toggleCloneSuffix } from '@rotor/core/engine';
import { check, describeError, fail } from './check-context.js';
import type { ConformanceCheck } from './types.js';

export const clone: ConformanceCheck = {
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
    const engine = ctx.engine;
    const fields = (engine.canCloneUsers ? engine.alternateUser?.({ user: source }).fields : undefined) ?? {
      username: toggleCloneSuffix(source.username),
    };
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

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, sortKeys(item)]),
  );
}
