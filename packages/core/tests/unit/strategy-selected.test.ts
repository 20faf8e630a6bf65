import { randomUUID } from 'node:crypto';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import type { StrategyId } from '../../src/engine/contract.ts';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger, STEPS } from './support/rotation-driver.ts';

function setup(secret: Record<string, unknown>) {
  const sm = new MockSecretsManager();
  const target = new FakeTarget();
  target.addUser('app', ['Original-Password-1']);
  target.addUser('admin', ['Admin-Password-123'], { admin: true });
  const adminArn = sm.createSecret('prod/admin', { username: 'admin', password: 'Admin-Password-123' });
  const secretId = sm.createSecret('prod/app', {
    username: 'app',
    password: 'Original-Password-1',
    ...(secret.masterarn === 'ADMIN' ? { masterarn: adminArn } : secret),
  });
  const selected: Array<[string, StrategyId]> = [];
  let step = '';
  const handler = createRotationHandler({
    engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 2 } }),
    store: createSecretsManagerStore({ client: sm.client }),
    logger: capturingLogger().logger,
    onStrategySelected: (strategy) => selected.push([step, strategy]),
  });
  const run = async (Step: string, token: string) => {
    step = Step;
    await handler({ Step, SecretId: secretId, ClientRequestToken: token });
  };
  return { sm, secretId, run, selected };
}

describe('onStrategySelected', () => {
  it('reports what `auto` chose for each step that needs a strategy, and nothing for finishSecret', async () => {
    const dual = setup({});
    const token = dual.sm.startRotation(dual.secretId, randomUUID());
    for (const Step of STEPS) await dual.run(Step, token);
    expect(dual.selected).toEqual([
      ['createSecret', 'dual-password'],
      ['setSecret', 'dual-password'],
      ['testSecret', 'dual-password'],
    ]);

    const alternating = setup({ masterarn: 'ADMIN' });
    const second = alternating.sm.startRotation(alternating.secretId, randomUUID());
    await alternating.run('createSecret', second);
    expect(alternating.selected).toEqual([['createSecret', 'alternating-users']]);
  });

  it('is not called when a step fails before a strategy is chosen', async () => {
    const { sm, secretId, run, selected } = setup({});
    sm.startRotation(secretId, randomUUID());
    await expect(run('setSecret', randomUUID())).rejects.toMatchObject({ code: 'INVALID_VERSION_STAGE' });
    expect(selected).toEqual([]);
  });
});
