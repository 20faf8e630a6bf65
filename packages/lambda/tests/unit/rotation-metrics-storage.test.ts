import { InMemorySecretsManager, runRotation } from '@rotor/testkit';
import { describe, expect, it, vi } from 'vitest';
import { sampleEngineBase } from './support/sample-engine.ts';

/**
 * Node runs the propagation of every AsyncLocalStorage that was ever used on every promise the process
 * creates, and never drops one: a storage per handler made a process hosting many containers (the bench's
 * rotation storm) quadratically slow (decision 0095). Counts the storages Rotor's code creates.
 */
const created = vi.hoisted(() => ({ storages: 0 }));
vi.mock('node:async_hooks', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:async_hooks')>();
  class CountedAsyncLocalStorage<T> extends actual.AsyncLocalStorage<T> {
    constructor() {
      super();
      created.storages += 1;
    }
  }
  return { ...actual, AsyncLocalStorage: CountedAsyncLocalStorage };
});

const { createRotationFunction } = await import('@rotor/lambda');
const { defineEngine } = await import('@rotor/core/engine');
/** The storages the modules made as they loaded (one each, at most, for the whole process). */
const createdAtImport = created.storages;

const noop = () => {};
const quietLogger = { debug: noop, info: noop, warn: noop, error: noop };

function container() {
  const store = new InMemorySecretsManager();
  const secretId = store.createSecret('prod/app', { username: 'app', password: 'Original-Password-1' });
  const target = new Map([['app', 'Original-Password-1']]);
  const published: number[] = [];
  const engine = defineEngine({
    ...sampleEngineBase,
    asyncChanges: true,
    waitUntilApplied: async () => ({ status: 'applied' as const }),
    login: async ({ user }) =>
      target.get(user.username) === user.password
        ? { status: 'accepted' as const }
        : { status: 'rejected' as const, reason: 'wrong password' },
    setPasswords: async ({ user, passwords }) => {
      target.set(user.username, passwords[0]!);
      return { status: 'changed' as const };
    },
  });
  const handler = createRotationFunction({
    functionName: 'Sample',
    logger: quietLogger,
    metrics: { addDimensions: noop, addMetric: noop, publishStoredMetrics: () => published.push(1) },
    setup: () => ({ handler: { engine, store, strategy: 'single-user' } }),
  });
  return { handler, store, secretId, published };
}

describe('rotation metrics in a process hosting many containers', () => {
  it('handlers built and invoked in one process create no async context storage of their own', async () => {
    const containers = Array.from({ length: 20 }, container);
    await Promise.all(
      containers.map(({ handler, store, secretId }) => runRotation(handler, store, secretId)),
    );
    for (const { store, secretId, published } of containers) {
      expect(store.valueAt(secretId, 'AWSCURRENT')?.password).not.toBe('Original-Password-1');
      expect(published).toHaveLength(4);
    }
    expect(created.storages).toBe(createdAtImport);
  });
});
