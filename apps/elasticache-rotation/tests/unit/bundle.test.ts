import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

// dist/ is built by tests/global-setup.ts, exactly as `pnpm build` builds it.
const dist = (name: string) => fileURLToPath(new URL(`../../dist/${name}`, import.meta.url));

describe('the built artifact', () => {
  it('stays within the size budget', () => {
    const sizes = JSON.parse(readFileSync(dist('size.json'), 'utf8'));
    expect(sizes.zipBytes).toBeLessThanOrEqual(sizes.zipBudgetBytes);
    expect(sizes.zipBudgetBytes).toBe(600 * 1024);
    expect(sizes.minifiedBytes).toBe(readFileSync(dist('index.mjs')).length);
  });

  it('zips index.mjs (handler index.handler) and its source map at the root, byte for byte', () => {
    const entries = unzipSync(readFileSync(dist('elasticache-rotation.zip')));
    expect(Object.keys(entries).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(Buffer.from(entries['index.mjs']!).equals(readFileSync(dist('index.mjs')))).toBe(true);
    expect(Buffer.from(entries['index.mjs.map']!).equals(readFileSync(dist('index.mjs.map')))).toBe(true);
  });

  it('exports an async handler and keeps error class names', async () => {
    const bundle = await import(`${pathToFileURL(dist('index.mjs')).href}?bundle-test`);
    expect(typeof bundle.handler).toBe('function');
    await expect(bundle.handler({ Step: 'nope' })).rejects.toMatchObject({
      name: 'InvalidRotationEventError',
      code: 'INVALID_EVENT',
    });
  });
});
