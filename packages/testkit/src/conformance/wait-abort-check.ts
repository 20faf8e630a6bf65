import type { EngineSecret } from '@rotor/core/engine';
import { type CheckContext, check, fail } from './check-context.js';
import type { ConformanceCheck } from './types.js';

const ABORT_GRACE_MS = 1_000;

export const waitAbort: ConformanceCheck = {
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
