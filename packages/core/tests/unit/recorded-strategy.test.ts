import { randomUUID } from 'node:crypto';
import { InvalidSecretError } from '@rotor/core/errors';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import type { StrategyId } from '../../src/engine/contract.ts';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { STRATEGY_FIELD } from '../../src/strategies/select-strategy.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger } from './support/rotation-driver.ts';

const ORIGINAL = 'Original-Password-1';

/** A two-password engine: `auto` chooses dual-password, which sets two passwords (`x2`). */
function setup(strategy: StrategyId | 'auto' = 'auto') {
  const sm = new MockSecretsManager();
  const target = new FakeTarget();
  target.addUser('app', [ORIGINAL]);
  const secretId = sm.createSecret('prod/app', { username: 'app', password: ORIGINAL });
  const { logger, lines } = capturingLogger();
  // A cold container per step: the pending value below is written by another function (or an older Rotor),
  // which a warm container that wrote its own would never re-read (versions are immutable, decision 0091).
  const newHandler = () =>
    createRotationHandler({
      engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 2 } }),
      store: createSecretsManagerStore({ client: sm.client }),
      logger,
      strategy,
    });
  const token = sm.startRotation(secretId, randomUUID());
  const run = (Step: string) => newHandler()({ Step, SecretId: secretId, ClientRequestToken: token });
  /** Rewrites the pending value as another function (or an older Rotor) might have written it. */
  const rewritePending = (change: (value: Record<string, unknown>) => Record<string, unknown>) =>
    sm.setRawValue(secretId, 'AWSPENDING', JSON.stringify(change(sm.valueAt(secretId, 'AWSPENDING') ?? {})));
  const setCalls = () => target.calls.filter((call) => call.startsWith('setPasswords'));
  return { sm, secretId, target, run, rewritePending, setCalls, lines };
}

describe('the strategy is chosen once per rotation, in createSecret, and recorded with the pending version', () => {
  it('createSecret writes the choice into AWSPENDING', async () => {
    const { sm, secretId, run } = setup();
    await run('createSecret');
    expect(sm.valueAt(secretId, 'AWSPENDING')).toMatchObject({
      username: 'app',
      [STRATEGY_FIELD]: 'dual-password',
    });
  });

  it('setSecret and testSecret follow the recorded strategy, not what AWSCURRENT would choose now', async () => {
    const { run, rewritePending, setCalls, target, sm, secretId } = setup();
    await run('createSecret');
    // Recorded single-user; a fresh choice from AWSCURRENT with this engine would be dual-password (x2).
    rewritePending((value) => ({ ...value, [STRATEGY_FIELD]: 'single-user' }));
    await run('setSecret');
    expect(setCalls()).toEqual(['setPasswords app x1 as self']);
    await run('testSecret');
    await run('finishSecret');
    const current = sm.valueAt(secretId, 'AWSCURRENT');
    expect(target.accepts('app', current?.password as string)).toBe(true);
    expect(target.accepts('app', ORIGINAL)).toBe(false);
  });

  it('a pending version written before strategies were recorded is rotated as createSecret would choose now', async () => {
    const { run, rewritePending, setCalls, lines } = setup();
    await run('createSecret');
    rewritePending(({ [STRATEGY_FIELD]: _recorded, ...value }) => value);
    await run('setSecret');
    expect(setCalls()).toEqual(['setPasswords app x2 as self']);
    expect(lines.join('\n')).toContain('AWSPENDING records no strategy');
  });

  it('refuses a recorded strategy that differs from the configured one, before changing anything', async () => {
    const { run, rewritePending, setCalls } = setup('dual-password');
    await run('createSecret');
    rewritePending((value) => ({ ...value, [STRATEGY_FIELD]: 'single-user' }));
    const attempt = run('setSecret');
    await expect(attempt).rejects.toBeInstanceOf(InvalidSecretError);
    await expect(attempt).rejects.toThrow(
      /created for strategy "single-user", but this function is configured for "dual-password"/,
    );
    expect(setCalls()).toEqual([]);
  });

  it('refuses an unknown recorded strategy, before changing anything', async () => {
    const { run, rewritePending, setCalls } = setup();
    await run('createSecret');
    rewritePending((value) => ({ ...value, [STRATEGY_FIELD]: 'three-passwords' }));
    await expect(run('setSecret')).rejects.toThrow(/records an unknown strategy in "rotorStrategy"/);
    expect(setCalls()).toEqual([]);
  });
});
