import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import type { LoginResult } from '../../src/engine/contract.ts';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import type { LoginTestPolicy } from '../../src/strategies/strategy.ts';
import type { FakeCapabilities } from './support/fake-engine.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger, rotate } from './support/rotation-driver.ts';

const ADMIN_PASSWORD = 'Admin-Password-123';

function setup(
  capabilities: Partial<FakeCapabilities>,
  secret: Record<string, unknown>,
  strategy?: 'single-user' | 'dual-password' | 'alternating-users',
  more: { loginOutcome?: LoginResult; loginTest?: LoginTestPolicy } = {},
) {
  const sm = new MockSecretsManager();
  const target = new FakeTarget();
  target.addUser('app', ['Original-Password-1'], { grants: ['SELECT ON orders'] });
  target.addUser('admin', [ADMIN_PASSWORD], { admin: true });
  const adminArn = sm.createSecret('prod/admin', { username: 'admin', password: ADMIN_PASSWORD });
  const secretId = sm.createSecret('prod/app', {
    username: 'app',
    password: 'Original-Password-1',
    ...secret,
    ...(secret.masterarn === 'ADMIN' ? { masterarn: adminArn } : {}),
  });
  const { logger, lines } = capturingLogger();
  const handler = createRotationHandler({
    engine: createFakeEngine(target, {
      capabilities,
      ...(more.loginOutcome ? { loginOutcome: more.loginOutcome } : {}),
    }),
    store: createSecretsManagerStore({ client: sm.client }),
    logger,
    ...(strategy ? { strategy } : {}),
    ...(more.loginTest ? { loginTest: more.loginTest } : {}),
  });
  const current = () => sm.valueAt(secretId, 'AWSCURRENT') as { username: string; password: string };
  return { sm, target, secretId, handler, lines, current };
}

describe('Strategy: single-user', () => {
  it('changes the user own password; the old one stops working', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 1 }, {});
    await rotate(handler, sm, secretId);
    const first = current();
    expect(first.username).toBe('app');
    expect(target.accepts('app', first.password)).toBe(true);
    expect(target.accepts('app', 'Original-Password-1')).toBe(false);
    expect(target.calls).toContain('setPasswords app x1 as self');
    await rotate(handler, sm, secretId);
    expect(target.accepts('app', current().password)).toBe(true);
    expect(target.accepts('app', first.password)).toBe(false);
  });

  it('uses AWSPREVIOUS as the principal when AWSCURRENT no longer logs in', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 1 }, {});
    await rotate(handler, sm, secretId);
    const afterFirst = current().password;
    // Someone reset the password on the server to the previous value behind our back.
    target.users.get('app')!.passwords = ['Original-Password-1'];
    await rotate(handler, sm, secretId);
    expect(target.accepts('app', current().password)).toBe(true);
    expect(target.accepts('app', afterFirst)).toBe(false);
  });

  it('fails with CredentialRejectedError when no password logs in, changing nothing', async () => {
    const { sm, target, secretId, handler } = setup({ passwordsPerUser: 1 }, {});
    target.users.get('app')!.passwords = ['Someone-Else-Changed-It-1'];
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      name: 'CredentialRejectedError',
      step: 'setSecret',
    });
    expect(target.users.get('app')!.passwords).toEqual(['Someone-Else-Changed-It-1']);
  });

  it('testSecret fails when the pending password does not log in', async () => {
    const { sm, target, secretId, handler } = setup({ passwordsPerUser: 1 }, {});
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await expect(
      handler({ Step: 'testSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'CREDENTIAL_REJECTED',
      step: 'testSecret',
    });
    expect(target.users.get('app')!.passwords).toEqual(['Original-Password-1']);
  });
});

describe('Strategy: dual-password', () => {
  it('is the default for engines whose users hold two passwords; the oldest drops at the next rotation', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 2 }, {});
    await rotate(handler, sm, secretId);
    const first = current().password;
    expect(target.users.get('app')!.passwords).toEqual([first, 'Original-Password-1']);
    await rotate(handler, sm, secretId);
    const second = current().password;
    expect(target.users.get('app')!.passwords).toEqual([second, first]);
    expect(target.accepts('app', 'Original-Password-1')).toBe(false);
  });

  it('accepts both passwords between setSecret and finishSecret', async () => {
    const { sm, target, secretId, handler } = setup({ passwordsPerUser: 2 }, {});
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
    expect(target.accepts('app', 'Original-Password-1')).toBe(true);
    expect(target.accepts('app', sm.valueAt(secretId, 'AWSPENDING')!.password as string)).toBe(true);
  });

  it('sets a single password when the secret has none yet (first rotation of a new user)', async () => {
    const sm = new MockSecretsManager();
    const target = new FakeTarget();
    target.addUser('fresh', []);
    const secretId = sm.createSecret('fresh', { username: 'fresh' });
    const handler = createRotationHandler({
      engine: createFakeEngine(target, { capabilities: { changeAuthority: 'control-plane' } }),
      store: createSecretsManagerStore({ client: sm.client }),
      logger: capturingLogger().logger,
    });
    await rotate(handler, sm, secretId);
    expect(target.users.get('fresh')!.passwords).toEqual([sm.valueAt(secretId, 'AWSCURRENT')!.password]);
  });

  it('is refused at start-up for engines that hold one password', () => {
    expect(() => setup({ passwordsPerUser: 1 }, {}, 'dual-password')).toThrow(
      /needs users that hold two passwords/,
    );
  });

  it('waits for asynchronous changes before testing', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 2, asyncChanges: true }, {});
    target.pendingPolls = 3;
    await rotate(handler, sm, secretId);
    expect(target.calls).toContain('wait app');
    expect(target.accepts('app', current().password)).toBe(true);
  });
});

describe('Strategy: alternating-users', () => {
  it('is chosen by masterarn; creates app_clone with app grants, then toggles back', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 1 }, { masterarn: 'ADMIN' });
    await rotate(handler, sm, secretId);
    const first = current();
    expect(first.username).toBe('app_clone');
    expect(target.users.get('app_clone')!.grants).toEqual(['SELECT ON orders']);
    expect(target.accepts('app_clone', first.password)).toBe(true);
    // The previous user keeps working until the next rotation.
    expect(target.accepts('app', 'Original-Password-1')).toBe(true);
    expect(target.calls).toContain('cloneUser app -> app_clone as admin');

    await rotate(handler, sm, secretId);
    const second = current();
    expect(second.username).toBe('app');
    expect(target.accepts('app', second.password)).toBe(true);
    expect(target.accepts('app', 'Original-Password-1')).toBe(false);
    expect(target.accepts('app_clone', first.password)).toBe(true);

    await rotate(handler, sm, secretId);
    expect(current().username).toBe('app_clone');
    expect(target.accepts('app_clone', first.password)).toBe(false);
    expect(target.accepts('app', second.password)).toBe(true);
    expect(sm.valueAt(secretId, 'AWSCURRENT')!.masterarn).toMatch(/prod\/admin/);
  });

  it('a retried setSecret completes a half-made clone: it calls cloneUser even though the pending user logs in', async () => {
    const { sm, target, secretId, handler, current } = setup({ passwordsPerUser: 1 }, { masterarn: 'ADMIN' });
    const token = sm.startRotation(secretId);
    const event = (Step: string) => ({ Step, SecretId: secretId, ClientRequestToken: token });
    await handler(event('createSecret'));
    await handler(event('setSecret'));
    // A crash between creating the clone and copying what it shares with the source: it logs in, but lacks them.
    target.users.get('app_clone')!.grants = [];
    await handler(event('setSecret'));
    expect(target.users.get('app_clone')!.grants).toEqual(['SELECT ON orders']);
    expect(target.calls.filter((call) => call.startsWith('cloneUser'))).toHaveLength(2);
    await handler(event('testSecret'));
    await handler(event('finishSecret'));
    expect(current().username).toBe('app_clone');
  });

  it('needs masterarn when the engine changes users with credentials', async () => {
    const { sm, secretId, handler } = setup({ passwordsPerUser: 1 }, {}, 'alternating-users');
    const token = sm.startRotation(secretId);
    await expect(
      handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      name: 'InvalidSecretError',
      message: expect.stringContaining('masterarn'),
    });
    expect(sm.writeCalls()).toEqual([]);
  });

  it('refuses to drive the admin when the current secret does not log in', async () => {
    const { sm, target, secretId, handler } = setup({ passwordsPerUser: 1 }, { masterarn: 'ADMIN' });
    target.users.get('app')!.passwords = ['Changed-Elsewhere-123'];
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'CREDENTIAL_REJECTED',
    });
    expect(target.users.has('app_clone')).toBe(false);
  });

  it('works without an admin secret for control-plane engines', async () => {
    const { sm, target, secretId, handler, current } = setup(
      { passwordsPerUser: 2, changeAuthority: 'control-plane' },
      {},
      'alternating-users',
    );
    await rotate(handler, sm, secretId);
    expect(current().username).toBe('app_clone');
    expect(target.calls).toContain('cloneUser app -> app_clone as control-plane');
  });

  it('starts from a secret with no password on control-plane engines (the ElastiCache workflow)', async () => {
    const { sm, target, secretId, handler, current } = setup(
      { passwordsPerUser: 2, changeAuthority: 'control-plane' },
      { password: undefined },
      'alternating-users',
    );
    await rotate(handler, sm, secretId);
    expect(current().username).toBe('app_clone');
    expect(target.accepts('app_clone', current().password)).toBe(true);
  });

  it('still refuses a passwordless secret for credential engines (the admin must not be a confused deputy)', async () => {
    const { sm, target, secretId, handler } = setup(
      { passwordsPerUser: 1 },
      { password: undefined, masterarn: 'ADMIN' },
    );
    const token = 'token-no-password-000000000000000000';
    sm.startRotation(secretId, token);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({ code: 'CREDENTIAL_REJECTED' });
    expect(target.users.has('app_clone')).toBe(false);
  });

  it('is refused at start-up for engines that cannot clone', () => {
    expect(() => setup({ canCloneUsers: false }, {}, 'alternating-users')).toThrow(/can clone users/);
  });
});

describe('The login test', () => {
  const controlPlane = { passwordsPerUser: 2 as const, changeAuthority: 'control-plane' as const };
  const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

  async function runUntilFailure(
    handler: ReturnType<typeof setup>['handler'],
    sm: MockSecretsManager,
    id: string,
  ) {
    const token = sm.startRotation(id);
    for (const Step of steps) await handler({ Step, SecretId: id, ClientRequestToken: token });
  }

  it('fails testSecret when the engine cannot log in from here, and AWSCURRENT does not move', async () => {
    const { sm, secretId, handler, current } = setup(controlPlane, {}, undefined, {
      loginOutcome: { status: 'skipped', reason: 'no cache endpoint is configured' },
    });
    const before = current().password;
    await expect(runUntilFailure(handler, sm, secretId)).rejects.toMatchObject({
      name: 'LoginTestUnavailableError',
      step: 'testSecret',
      message: expect.stringContaining('ROTOR_LOGIN_TEST=off'),
    });
    expect(current().password).toBe(before);
  });

  it('accepts such a rotation only when turned off, with a warning on testSecret', async () => {
    const { sm, secretId, handler, current, lines } = setup(controlPlane, {}, undefined, {
      loginOutcome: { status: 'skipped', reason: 'no cache endpoint is configured' },
      loginTest: 'off',
    });
    const before = current().password;
    await rotate(handler, sm, secretId);
    expect(current().password).not.toBe(before);
    expect(lines.filter((line) => line.startsWith('warn The login test is off'))).toHaveLength(1);
  });

  it('passes a user the target admits nowhere (disabled), since no client can depend on it', async () => {
    const { sm, secretId, handler, current, lines } = setup(controlPlane, {}, undefined, {
      loginOutcome: { status: 'disabled', reason: 'the user is switched off' },
    });
    const before = current().password;
    await rotate(handler, sm, secretId);
    expect(current().password).not.toBe(before);
    expect(lines.some((line) => line.includes('disabled: the user is switched off'))).toBe(true);
    expect(lines.some((line) => line.startsWith('warn'))).toBe(false);
  });
});

describe('ARNs the secret names', () => {
  it("refuses a masterarn outside the function's account before anything changes", async () => {
    const { sm, target, secretId, handler } = setup(
      { passwordsPerUser: 1 },
      { masterarn: 'arn:aws:secretsmanager:us-east-1:999999999999:secret:prod/admin-AbCdEf' },
    );
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    target.calls.length = 0;
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      name: 'InvalidSecretError',
      message: expect.stringContaining('account 999999999999'),
    });
    expect(target.calls.filter((call) => call.startsWith('cloneUser'))).toEqual([]);
    expect(target.users.has('app_clone')).toBe(false);
  });

  it("takes the function's scope from the Lambda context's invokedFunctionArn", async () => {
    const { sm, target, secretId, handler } = setup({ passwordsPerUser: 1 }, { masterarn: 'ADMIN' });
    const token = sm.startRotation(secretId);
    const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotor' };
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }, context);
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }, context),
    ).rejects.toMatchObject({ message: expect.stringContaining('region us-east-1 (function: eu-west-1)') });
    expect(target.users.has('app_clone')).toBe(false);
  });
});
