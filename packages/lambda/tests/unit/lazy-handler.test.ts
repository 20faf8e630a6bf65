import { describe, expect, it } from 'vitest';
import { lazyHandler } from '../../src/lazy-handler.ts';

describe('lazyHandler', () => {
  it('loads the function on the first invocation only, and passes event and context through', async () => {
    let loads = 0;
    const seen: unknown[] = [];
    const handler = lazyHandler<{ id: string }>(async () => {
      loads += 1;
      return async (event, context) => {
        seen.push([event, context]);
      };
    });
    expect(loads).toBe(0);
    await handler({ Step: 'createSecret' }, { id: 'a' });
    await handler({ Step: 'setSecret' }, { id: 'b' });
    expect(loads).toBe(1);
    expect(seen).toEqual([
      [{ Step: 'createSecret' }, { id: 'a' }],
      [{ Step: 'setSecret' }, { id: 'b' }],
    ]);
  });

  it('rethrows what the function throws', async () => {
    const handler = lazyHandler(async () => async () => {
      throw new Error('refused');
    });
    await expect(handler({})).rejects.toThrow('refused');
  });

  it('retries a failed load at the next invocation instead of keeping the failure', async () => {
    let attempts = 0;
    const handler = lazyHandler(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('chunk missing');
      return async () => {};
    });
    await expect(handler({})).rejects.toThrow('chunk missing');
    await expect(handler.load()).resolves.toBeTypeOf('function');
    await handler({});
    expect(attempts).toBe(2);
  });
});
