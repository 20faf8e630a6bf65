import { createRotationStepRunner, type StrategyId } from '@rotor/core';
import { InMemorySecretsManager } from '../in-memory-secrets-manager.js';
import { runRotation } from '../run-rotation.js';
import { check, describeError, fail } from './check-context.js';
import type { CheckId, ConformanceCheck } from './types.js';

export function rotationCheck(strategy: StrategyId, id: CheckId, title: string): ConformanceCheck {
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
