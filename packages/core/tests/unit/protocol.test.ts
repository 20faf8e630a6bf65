import { randomUUID } from 'node:crypto';
import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger, rotate, STEPS } from './support/rotation-driver.ts';

function setup(options: { rotationEnabled?: boolean | undefined } = {}) {
  const sm = new MockSecretsManager();
  const target = new FakeTarget();
  target.addUser('app', ['Original-Password-1']);
  const secretId = sm.createSecret(
    'prod/app',
    { username: 'app', password: 'Original-Password-1', host: 'db' },
    options,
  );
  const { logger, lines } = capturingLogger();
  const handler = createRotationHandler({
    engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 1 } }),
    store: createSecretsManagerStore({ client: sm.client }),
    logger,
  });
  return { sm, target, secretId, handler, lines };
}

describe('Event validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 'createSecret', /Not a Secrets Manager rotation event/],
    ['null', null, /Not a Secrets Manager rotation event/],
    [
      'unknown step',
      { Step: 'deleteSecret', SecretId: 's', ClientRequestToken: 't' },
      /Step must be one of createSecret/,
    ],
    ['missing SecretId', { Step: 'createSecret', ClientRequestToken: 't' }, /SecretId is missing/],
    ['missing token', { Step: 'setSecret', SecretId: 's' }, /ClientRequestToken is missing/],
    ['empty token', { Step: 'setSecret', SecretId: 's', ClientRequestToken: '  ' }, /ClientRequestToken/],
  ];
  it.each(cases)(
    'rejects %s with InvalidRotationEventError and makes no call',
    async (_name, event, message) => {
      const { sm, handler } = setup();
      await expect(handler(event)).rejects.toMatchObject({
        name: 'InvalidRotationEventError',
        code: 'INVALID_EVENT',
        message: expect.stringMatching(message),
      });
      expect(sm.mock.calls()).toHaveLength(0);
    },
  );
});

describe('Pre-checks', () => {
  it('refuses every step when rotation is disabled, writing nothing', async () => {
    const { sm, handler, secretId } = setup({ rotationEnabled: false });
    const token = sm.startRotation(secretId);
    for (const Step of STEPS) {
      await expect(handler({ Step, SecretId: secretId, ClientRequestToken: token })).rejects.toMatchObject({
        code: 'ROTATION_NOT_ENABLED',
        step: Step,
      });
    }
    expect(sm.writeCalls()).toEqual([]);
  });

  it('refuses a secret whose rotation was never turned on (no RotationEnabled), writing nothing', async () => {
    const { sm, handler, secretId, target } = setup({ rotationEnabled: undefined });
    const token = sm.startRotation(secretId);
    for (const Step of STEPS) {
      await expect(handler({ Step, SecretId: secretId, ClientRequestToken: token })).rejects.toMatchObject({
        name: 'RotationNotEnabledError',
        message: expect.stringContaining('RotationEnabled=undefined'),
      });
    }
    expect(sm.writeCalls()).toEqual([]);
    expect(target.calls).toEqual([]);
  });

  it('refuses a token that is not a version of the secret', async () => {
    const { sm, handler, secretId } = setup();
    await expect(
      handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: randomUUID() }),
    ).rejects.toMatchObject({
      name: 'InvalidVersionStageError',
      message: expect.stringContaining('has no stage for rotation'),
    });
    expect(sm.writeCalls()).toEqual([]);
  });

  it('refuses a token that is neither AWSPENDING nor AWSCURRENT', async () => {
    const { sm, handler, secretId } = setup();
    const first = await rotate(handler, sm, secretId);
    await rotate(handler, sm, secretId);
    // `first` is now AWSPREVIOUS.
    sm.mock.resetHistory();
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: first }),
    ).rejects.toMatchObject({
      code: 'INVALID_VERSION_STAGE',
      message: expect.stringContaining('is not AWSPENDING'),
    });
    expect(sm.writeCalls()).toEqual([]);
  });

  it('makes every step a no-op once the token is AWSCURRENT', async () => {
    const { sm, handler, secretId, target } = setup();
    const token = await rotate(handler, sm, secretId);
    const before = structuredClone(sm.stagesOf(secretId));
    const passwords = [...target.users.get('app')!.passwords];
    sm.mock.resetHistory();
    target.calls.length = 0;
    for (const Step of STEPS) await handler({ Step, SecretId: secretId, ClientRequestToken: token });
    expect(sm.writeCalls()).toEqual([]);
    expect(target.calls).toEqual([]);
    expect(sm.stagesOf(secretId)).toEqual(before);
    expect(target.users.get('app')!.passwords).toEqual(passwords);
  });
});

describe('createSecret', () => {
  it('writes AWSPENDING once; a retry keeps the same password and writes nothing', async () => {
    const { sm, handler, secretId } = setup();
    const token = sm.startRotation(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    const first = sm.valueAt(secretId, 'AWSPENDING');
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    expect(sm.valueAt(secretId, 'AWSPENDING')).toEqual(first);
    expect(
      sm.mock.commandCalls((await import('@aws-sdk/client-secrets-manager')).PutSecretValueCommand),
    ).toHaveLength(1);
    expect(first?.password).not.toEqual('Original-Password-1');
    expect(first).toMatchObject({ username: 'app', host: 'db' });
  });

  it('keeps unknown keys of the current secret', async () => {
    const sm = new MockSecretsManager();
    const target = new FakeTarget();
    target.addUser('app', ['Original-Password-1']);
    const secretId = sm.createSecret('x', {
      username: 'app',
      password: 'Original-Password-1',
      dbClusterIdentifier: 'c1',
      extra: { a: 1 },
    });
    const handler = createRotationHandler({
      engine: createFakeEngine(target),
      store: createSecretsManagerStore({ client: sm.client }),
      logger: capturingLogger().logger,
    });
    await rotate(handler, sm, secretId);
    expect(sm.valueAt(secretId, 'AWSCURRENT')).toMatchObject({ dbClusterIdentifier: 'c1', extra: { a: 1 } });
  });

  it('forwards the RotationToken to PutSecretValue', async () => {
    const { sm, handler, secretId } = setup();
    const { PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const token = sm.startRotation(secretId);
    await handler({
      Step: 'createSecret',
      SecretId: secretId,
      ClientRequestToken: token,
      RotationToken: 'rotation-token-1',
    });
    expect(sm.mock.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toMatchObject({
      ClientRequestToken: token,
      RotationToken: 'rotation-token-1',
      VersionStages: ['AWSPENDING'],
    });
  });

  it('can take the password from GetRandomPassword, and refuses one that breaks the policy', async () => {
    const sm = new MockSecretsManager();
    const target = new FakeTarget();
    target.addUser('app', ['Original-Password-1']);
    const secretId = sm.createSecret('x', { username: 'app', password: 'Original-Password-1' });
    const handler = createRotationHandler({
      engine: createFakeEngine(target),
      store: createSecretsManagerStore({ client: sm.client }),
      passwordSource: 'secrets-manager',
      logger: capturingLogger().logger,
    });
    sm.randomPassword = 'short';
    const token = sm.startRotation(secretId);
    await expect(
      handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'SECRET_STORE_FAILED',
      message: expect.stringContaining('violates the engine password policy'),
    });
    expect(sm.writeCalls()).toEqual([]);
    sm.randomPassword = 'Abcdefghijklmnopqrstuv1!';
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    expect(sm.valueAt(secretId, 'AWSPENDING')?.password).toBe('Abcdefghijklmnopqrstuv1!');
  });
});

describe('Bad secrets', () => {
  const badValues: Array<[string, string, RegExp]> = [
    ['not JSON', 'not json {', /not valid JSON/],
    ['a JSON array', '[1,2]', /must be a JSON object/],
    ['missing username', JSON.stringify({ password: 'Original-Password-1' }), /"username" is missing/],
    [
      'username of the wrong type',
      JSON.stringify({ username: 42, password: 'Original-Password-1' }),
      /"username"/,
    ],
  ];
  it.each(badValues)(
    'fails createSecret with InvalidSecretError when AWSCURRENT is %s, writing nothing',
    async (_n, raw, message) => {
      const { sm, handler, secretId, target } = setup();
      sm.setRawValue(secretId, 'AWSCURRENT', raw);
      const token = sm.startRotation(secretId);
      await expect(
        handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }),
      ).rejects.toMatchObject({
        name: 'InvalidSecretError',
        message: expect.stringMatching(message),
      });
      expect(sm.writeCalls()).toEqual([]);
      expect(target.calls.filter((c) => c.startsWith('setPasswords'))).toEqual([]);
    },
  );

  it('never echoes secret values in the error', async () => {
    const { sm, handler, secretId } = setup();
    sm.setRawValue(
      secretId,
      'AWSCURRENT',
      JSON.stringify({ username: ['x'], password: 'Very-Secret-Value-9' }),
    );
    const token = sm.startRotation(secretId);
    const error = await handler({
      Step: 'createSecret',
      SecretId: secretId,
      ClientRequestToken: token,
    }).catch((e) => e);
    expect(String(error.message)).not.toContain('Very-Secret-Value-9');
  });

  it('fails setSecret when createSecret has not run, touching nothing', async () => {
    const { sm, handler, secretId, target } = setup();
    const token = sm.startRotation(secretId);
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'INVALID_VERSION_STAGE',
      message: expect.stringContaining('createSecret has not run'),
    });
    expect(target.calls).toEqual([]);
  });

  it('refuses an AWSPENDING secret about another user (confused deputy)', async () => {
    const { sm, handler, secretId, target } = setup();
    target.addUser('other', ['Other-Password-123']);
    const token = sm.startRotation(secretId);
    // Someone who knows the rotation's token writes its version first (a version's value cannot change
    // afterwards, so this is the only way to tamper with it): createSecret keeps what it finds.
    const current = sm.valueAt(secretId, 'AWSCURRENT')!;
    sm.setRawValue(secretId, 'AWSPENDING', JSON.stringify({ ...current, username: 'other' }));
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    expect(sm.valueAt(secretId, 'AWSPENDING')).toMatchObject({ username: 'other' });
    await expect(
      handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringContaining('AWSPENDING names user "other"'),
    });
    expect(target.users.get('other')!.passwords).toEqual(['Other-Password-123']);
  });

  it('reports a user missing on the target before anything is written', async () => {
    const { sm, handler, secretId, target } = setup();
    target.users.delete('app');
    const token = sm.startRotation(secretId);
    await expect(
      handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }),
    ).rejects.toMatchObject({
      name: 'UserNotFoundError',
      step: 'createSecret',
    });
    expect(sm.writeCalls()).toEqual([]);
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT to the token and AWSPREVIOUS to the old version, idempotently', async () => {
    const { sm, handler, secretId } = setup();
    const [original] = Object.keys(sm.stagesOf(secretId));
    const token = sm.startRotation(secretId);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret', 'finishSecret'] as const) {
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });
    }
    expect(sm.stagesOf(secretId)).toEqual({
      [token]: ['AWSCURRENT', 'AWSPENDING'],
      [original!]: ['AWSPREVIOUS'],
    });
    const { DescribeSecretCommand, UpdateSecretVersionStageCommand } = await import(
      '@aws-sdk/client-secrets-manager'
    );
    expect(sm.mock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    // One per invocation (finishSecret reuses the pre-check's), and one after setSecret and after testSecret
    // to find out whether the rotation was abandoned meanwhile.
    expect(sm.mock.commandCalls(DescribeSecretCommand)).toHaveLength(7);
  });
});

describe('Retries', () => {
  beforeEach(() => {});
  it('every step can run again after it succeeded, with the same end state', async () => {
    const { sm, handler, secretId, target } = setup();
    const token = sm.startRotation(secretId);
    for (const Step of STEPS) {
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });
    }
    const current = sm.valueAt(secretId, 'AWSCURRENT')!;
    expect(target.users.get('app')!.passwords).toEqual([current.password]);
    expect(target.calls.filter((c) => c.startsWith('setPasswords'))).toHaveLength(1);
  });
});
