import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { MockSecretsManager as FakeSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import type { AdminSecret } from '../../src/engine/contract.ts';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { VersionValueCache } from '../../src/store/version-value-cache.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger, rotate, STEPS } from './support/rotation-driver.ts';

/** The version carrying `stage` (from the fake's labels). */
function versionWith(sm: FakeSecretsManager, secretId: string, stage: string): string {
  const found = Object.entries(sm.stagesOf(secretId)).find(([, stages]) => stages.includes(stage))?.[0];
  if (!found) throw new Error(`no version carries ${stage}`);
  return found;
}

describe('VersionValueCache', () => {
  it('answers by secret id and version id, and nothing else', () => {
    const cache = new VersionValueCache(4);
    cache.set('secret-a', 'v1', 'value-a1');
    expect(cache.get('secret-a', 'v1')).toBe('value-a1');
    // The same version id under another secret (callers choose ClientRequestTokens) is another entry.
    expect(cache.get('secret-b', 'v1')).toBeUndefined();
    expect(cache.get('secret-a', 'v2')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used first', () => {
    const cache = new VersionValueCache(2);
    cache.set('s', 'v1', 'one');
    cache.set('s', 'v2', 'two');
    expect(cache.get('s', 'v1')).toBe('one'); // v1 is now the most recently used
    cache.set('s', 'v3', 'three');
    expect(cache.size).toBe(2);
    expect(cache.get('s', 'v2')).toBeUndefined();
    expect(cache.get('s', 'v1')).toBe('one');
    expect(cache.get('s', 'v3')).toBe('three');
  });

  it('holds nothing with size 0 and refuses a negative or fractional size', () => {
    const cache = new VersionValueCache(0);
    cache.set('s', 'v1', 'one');
    expect(cache.get('s', 'v1')).toBeUndefined();
    expect(() => new VersionValueCache(-1)).toThrow(/whole number/);
    expect(() => new VersionValueCache(1.5)).toThrow(/whole number/);
  });
});

describe('Secrets Manager store: values by version id', () => {
  function storeWithSecret() {
    const sm = new FakeSecretsManager();
    const secretId = sm.createSecret('prod/app', { username: 'app', password: 'Original-Password-1' });
    const store = createSecretsManagerStore({ client: sm.client });
    return { sm, secretId, store };
  }

  it('reads a version by id once; a second read by id makes no call', async () => {
    const { sm, secretId, store } = storeWithSecret();
    const versionId = versionWith(sm, secretId, 'AWSCURRENT');
    const first = await store.getValue(secretId, { versionId });
    const second = await store.getValue(secretId, { versionId });
    expect(second?.secretString).toBe(first?.secretString);
    expect(sm.mock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('always asks for a stage (labels move)', async () => {
    const { sm, secretId, store } = storeWithSecret();
    await store.getValue(secretId, { stage: 'AWSCURRENT' });
    await store.getValue(secretId, { stage: 'AWSCURRENT' });
    const versionId = versionWith(sm, secretId, 'AWSCURRENT');
    await store.getValue(secretId, { versionId, stage: 'AWSCURRENT' });
    expect(sm.mock.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    // ...but what a stage read returned is known by its version id afterwards.
    await store.getValue(secretId, { versionId });
    expect(sm.mock.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('knows the value it wrote, and not a value Secrets Manager refused', async () => {
    const { sm, secretId, store } = storeWithSecret();
    const token = sm.startRotation(secretId);
    expect(store.cachedValue?.(secretId, token)).toBeUndefined();
    await store.putPendingValue(secretId, { token, secretString: '{"username":"app","password":"New-1"}' });
    expect(store.cachedValue?.(secretId, token)).toBe('{"username":"app","password":"New-1"}');

    const other = createSecretsManagerStore({ client: sm.client });
    await expect(
      other.putPendingValue(secretId, { token, secretString: '{"username":"app","password":"Other-2"}' }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_FAILED' });
    expect(other.cachedValue?.(secretId, token)).toBeUndefined();
    expect((await other.getValue(secretId, { versionId: token }))?.secretString).toContain('New-1');
  });

  it('does not cache a missing version', async () => {
    const { sm, secretId, store } = storeWithSecret();
    const token = sm.startRotation(secretId);
    expect(await store.getValue(secretId, { versionId: token })).toBeUndefined();
    expect(await store.getValue(secretId, { versionId: token })).toBeUndefined();
    expect(sm.mock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('Secrets Manager calls per rotation', () => {
  function setup() {
    const sm = new FakeSecretsManager();
    const target = new FakeTarget();
    target.addUser('app', ['Original-Password-1']);
    const secretId = sm.createSecret('prod/app', { username: 'app', password: 'Original-Password-1' });
    const { logger } = capturingLogger();
    const newHandler = () =>
      createRotationHandler({
        engine: createFakeEngine(target, { capabilities: { passwordsPerUser: 1 } }),
        store: createSecretsManagerStore({ client: sm.client }),
        logger,
      });
    return { sm, target, secretId, newHandler };
  }

  it('a warm container (one handler for every step) makes at most 8 from the second rotation on', async () => {
    const { sm, target, secretId, newHandler } = setup();
    const handler = newHandler();
    await rotate(handler, sm, secretId);
    sm.mock.resetHistory();
    await rotate(handler, sm, secretId);
    expect(sm.mock.calls().length).toBeLessThanOrEqual(8);
    const current = sm.valueAt(secretId, 'AWSCURRENT') as { password: string };
    expect(target.users.get('app')!.passwords).toEqual([current.password]);
  });

  it('cold containers (a new handler per step) rotate correctly, with more calls', async () => {
    const { sm, target, secretId, newHandler } = setup();
    const token = sm.startRotation(secretId);
    for (const Step of STEPS) await newHandler()({ Step, SecretId: secretId, ClientRequestToken: token });
    const current = sm.valueAt(secretId, 'AWSCURRENT') as { password: string };
    expect(current.password).not.toBe('Original-Password-1');
    expect(target.users.get('app')!.passwords).toEqual([current.password]);
    expect(sm.mock.calls().length).toBeGreaterThan(8);
  });

  it('a retried createSecret in a cold container keeps the value the first attempt wrote', async () => {
    const { sm, secretId, newHandler } = setup();
    const token = sm.startRotation(secretId);
    await newHandler()({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    const first = sm.valueAt(secretId, 'AWSPENDING');
    await newHandler()({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    expect(sm.valueAt(secretId, 'AWSPENDING')).toEqual(first);
    // The second attempt's PutSecretValue was refused; nothing else was written.
    expect(sm.mock.commandCalls(PutSecretValueCommand)).toHaveLength(2);
  });

  describe('with an admin secret (alternating users)', () => {
    const ADMIN_PASSWORD = 'Admin-Password-123';

    /** A warm container rotating app through alternating users; `onAdmin` sees each admin secret core hands over. */
    function adminSetup(onAdmin: (admin: AdminSecret) => Promise<void> = async () => {}) {
      const sm = new FakeSecretsManager();
      const target = new FakeTarget();
      target.addUser('app', ['Original-Password-1']);
      target.addUser('admin', [ADMIN_PASSWORD], { admin: true });
      const adminArn = sm.createSecret(
        'prod/admin',
        { username: 'admin', password: ADMIN_PASSWORD },
        {
          tags: { team: 'db' },
        },
      );
      const secretId = sm.createSecret('prod/app', {
        username: 'app',
        password: 'Original-Password-1',
        masterarn: adminArn,
      });
      const engine = createFakeEngine(target, { capabilities: { passwordsPerUser: 1 } });
      if (!engine.canCloneUsers) throw new Error('the mock engine clones users');
      const cloneUser: typeof engine.cloneUser = async (request, context) => {
        if (request.principal.kind === 'admin') await onAdmin(request.principal.admin);
        return engine.cloneUser(request, context);
      };
      const handler = createRotationHandler({
        engine: { ...engine, cloneUser },
        store: createSecretsManagerStore({ client: sm.client }),
        logger: capturingLogger().logger,
        strategy: 'alternating-users',
      });
      const describesOf = (arn: string) =>
        sm.mock.commandCalls(DescribeSecretCommand).filter((call) => call.args[0].input.SecretId === arn);
      return { sm, target, secretId, adminArn, handler, describesOf };
    }

    it('reads the admin with one GetSecretValue and no DescribeSecret: 8 calls per warm rotation', async () => {
      const { sm, target, secretId, adminArn, handler, describesOf } = adminSetup();
      await rotate(handler, sm, secretId);
      sm.mock.resetHistory();
      await rotate(handler, sm, secretId);
      expect(sm.mock.calls().length).toBeLessThanOrEqual(8);
      expect(describesOf(adminArn)).toHaveLength(0);
      const adminReads = sm.mock
        .commandCalls(GetSecretValueCommand)
        .filter((call) => call.args[0].input.SecretId === adminArn);
      expect(adminReads.map((call) => call.args[0].input.VersionStage)).toEqual(['AWSCURRENT']);
      const current = sm.valueAt(secretId, 'AWSCURRENT') as { username: string; password: string };
      expect(target.accepts(current.username, current.password)).toBe(true);
      expect(target.accepts(current.username, 'Wrong-Password-1')).toBe(false);
    });

    it('reads the tags when the engine asks, once per step, and they are the stored tags', async () => {
      const seen: Array<Readonly<Record<string, string>>> = [];
      const { sm, secretId, adminArn, handler, describesOf } = adminSetup(async (admin) => {
        seen.push(await admin.readTags());
        seen.push(await admin.readTags());
      });
      await rotate(handler, sm, secretId);
      expect(seen).toEqual([{ team: 'db' }, { team: 'db' }]);
      expect(describesOf(adminArn)).toHaveLength(1);
    });
  });
});
