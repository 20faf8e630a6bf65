import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import type { FakeCapabilities } from './support/fake-engine.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger } from './support/rotation-driver.ts';

/**
 * Secrets Manager abandons a rotation when a new version is created during it, removing AWSPENDING from
 * the rotation's version. A single-user rotation that already changed the password must not leave the only
 * accepted password in that unlabelled version (decision 0015).
 */
const ORIGINAL = 'Original-Password-1';

function setup(strategy: 'single-user' | 'dual-password', capabilities: Partial<FakeCapabilities> = {}) {
  const sm = new MockSecretsManager();
  const target = new FakeTarget();
  target.addUser('app', [ORIGINAL]);
  const secretId = sm.createSecret('prod/app', { username: 'app', password: ORIGINAL });
  const { logger, lines } = capturingLogger();
  const base = createFakeEngine(target, { capabilities: { passwordsPerUser: 2, ...capabilities } });
  const hooks: { afterSetPasswords?: () => Promise<void> } = {};
  // The new version is created while setSecret runs, right after the target accepted the change.
  const engine: typeof base = {
    ...base,
    async setPasswords(input, context) {
      const result = await base.setPasswords(input, context);
      const hook = hooks.afterSetPasswords;
      hooks.afterSetPasswords = undefined;
      await hook?.();
      return result;
    },
  };
  const handler = createRotationHandler({
    engine,
    store: createSecretsManagerStore({ client: sm.client }),
    logger,
    strategy,
  });
  const token = sm.startRotation(secretId);
  const run = (Step: string) => handler({ Step, SecretId: secretId, ClientRequestToken: token });
  /** An operator's PutSecretValue of a new AWSCURRENT: AWS then removes AWSPENDING from the rotation's version. */
  const operatorWritesCurrent = async () => {
    await sm.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ username: 'app', password: ORIGINAL, note: 'owner: team-b' }),
      }),
    );
    await sm.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
  };
  /** Another tool's new AWSPENDING version: the label moves off the rotation's version. */
  const otherToolWritesPending = async () => {
    await sm.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ username: 'app', password: 'From-Another-Tool-9' }),
        VersionStages: ['AWSPENDING'],
      }),
    );
  };
  const pendingPassword = () =>
    JSON.parse(sm.model.getSecretValue({ SecretId: secretId, VersionId: token }).SecretString)
      .password as string;
  return {
    sm,
    target,
    secretId,
    token,
    run,
    hooks,
    lines,
    operatorWritesCurrent,
    otherToolWritesPending,
    pendingPassword,
  };
}

describe('A single-user rotation abandoned after its change', () => {
  it('setSecret finds out, sets the password back to the labelled AWSCURRENT, and fails loudly', async () => {
    const { target, run, hooks, lines, operatorWritesCurrent, pendingPassword, sm, secretId } =
      setup('single-user');
    await run('createSecret');
    hooks.afterSetPasswords = operatorWritesCurrent;
    const error = await run('setSecret').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ROTATION_ABANDONED', retryable: false, step: 'setSecret' });
    expect((error as Error).message).toContain('restored the password of "app" to AWSCURRENT');
    expect(target.accepts('app', ORIGINAL)).toBe(true);
    expect(target.accepts('app', pendingPassword())).toBe(false);
    expect(sm.valueAt(secretId, 'AWSCURRENT')).toMatchObject({ password: ORIGINAL, note: 'owner: team-b' });
    expect(lines.filter((line) => line.startsWith('error')).join('\n')).toContain(
      'was abandoned during setSecret',
    );
    expect(lines.join('\n')).not.toContain(pendingPassword());
  });

  it("a later step's pre-check finds it (another tool's AWSPENDING) and restores AWSCURRENT", async () => {
    const { target, run, otherToolWritesPending, pendingPassword, lines } = setup('single-user');
    await run('createSecret');
    await run('setSecret');
    expect(target.accepts('app', pendingPassword())).toBe(true);
    await otherToolWritesPending();
    await expect(run('testSecret')).rejects.toMatchObject({
      code: 'ROTATION_ABANDONED',
      message: expect.stringContaining('restored the password'),
    });
    expect(target.accepts('app', ORIGINAL)).toBe(true);
    expect(target.accepts('app', pendingPassword())).toBe(false);
    expect(lines.some((line) => line.startsWith('error') && line.includes('lost AWSPENDING'))).toBe(true);
  });

  it('restores through the control plane for engines changed by their IAM role', async () => {
    const { target, run, hooks, operatorWritesCurrent } = setup('single-user', {
      changeAuthority: 'control-plane',
    });
    await run('createSecret');
    hooks.afterSetPasswords = operatorWritesCurrent;
    await expect(run('setSecret')).rejects.toMatchObject({ code: 'ROTATION_ABANDONED' });
    expect(target.accepts('app', ORIGINAL)).toBe(true);
    expect(target.calls).toContain('setPasswords app x1 as control-plane');
  });

  it('leaves the target alone when AWSCURRENT still logs in (dual-password keeps both passwords)', async () => {
    const { target, run, hooks, operatorWritesCurrent, pendingPassword } = setup('dual-password');
    await run('createSecret');
    hooks.afterSetPasswords = operatorWritesCurrent;
    await expect(run('setSecret')).rejects.toMatchObject({
      code: 'ROTATION_ABANDONED',
      message: expect.stringContaining('keeps working'),
    });
    expect(target.accepts('app', ORIGINAL)).toBe(true);
    expect(target.accepts('app', pendingPassword())).toBe(true);
  });

  it('abandoned between two invocations, it is found by the next rotation, which sets its password with the orphan', async () => {
    const { target, run, operatorWritesCurrent, pendingPassword, sm, secretId, lines } = setup('single-user');
    await run('createSecret');
    await run('setSecret');
    // Secrets Manager abandons the rotation and invokes nothing more: nobody restores AWSCURRENT now.
    await operatorWritesCurrent();
    const orphan = pendingPassword();
    expect(target.accepts('app', ORIGINAL)).toBe(false);

    const handler = createRotationHandler({
      engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 2 } }),
      store: createSecretsManagerStore({ client: sm.client }),
      strategy: 'single-user',
      logger: capturingLogger().logger,
    });
    const next = sm.startRotation(secretId);
    const logs = capturingLogger();
    const logged = createRotationHandler({
      engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 2 } }),
      store: createSecretsManagerStore({ client: sm.client }),
      strategy: 'single-user',
      logger: logs.logger,
    });
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: next });
    await logged({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: next });
    for (const Step of ['testSecret', 'finishSecret'])
      await handler({ Step, SecretId: secretId, ClientRequestToken: next });

    const current = sm.valueAt(secretId, 'AWSCURRENT')!;
    expect(target.accepts('app', current.password as string)).toBe(true);
    expect(target.accepts('app', orphan)).toBe(false);
    expect(logs.lines.some((line) => line.startsWith('error') && line.includes('carries no label'))).toBe(
      true,
    );
    expect([...lines, ...logs.lines].join('\n')).not.toContain(orphan);
  });

  it('does nothing for a rotation that was not abandoned (a token that is AWSPREVIOUS is refused as before)', async () => {
    const { target, run, sm, secretId, token } = setup('single-user');
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await run(step);
    const password = sm.valueAt(secretId, 'AWSCURRENT')!.password as string;
    const next = sm.startRotation(secretId);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await createRotationHandler({
        engine: createFakeEngine(target),
        store: createSecretsManagerStore({ client: sm.client }),
        strategy: 'single-user',
        logger: capturingLogger().logger,
      })({ Step, SecretId: secretId, ClientRequestToken: next });
    }
    expect(target.accepts('app', password)).toBe(false);
    await expect(run('setSecret')).rejects.toMatchObject({ code: 'INVALID_VERSION_STAGE' });
    expect(sm.stagesOf(secretId)[token]).toEqual(['AWSPREVIOUS']);
  });
});
