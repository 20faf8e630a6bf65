import { readdirSync, readFileSync } from 'node:fs';
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
    const code = ['index.mjs', ...readdirSync(dist('chunks')).map((name) => `chunks/${name}`)]
      .filter((name) => name.endsWith('.mjs'))
      .reduce((sum, name) => sum + readFileSync(dist(name)).length, 0);
    expect(sizes.minifiedBytes).toBe(code);
  });

  it('zips index.mjs (handler index.handler), the chunks and their source maps, byte for byte', () => {
    const entries = unzipSync(readFileSync(dist('elasticache-rotation.zip')));
    const chunks = readdirSync(dist('chunks')).map((name) => `chunks/${name}`);
    expect(Object.keys(entries).sort()).toEqual(['index.mjs', 'index.mjs.map', ...chunks].sort());
    for (const [name, data] of Object.entries(entries)) {
      expect(Buffer.from(data).equals(readFileSync(dist(name))), name).toBe(true);
    }
  });

  it("keeps the function off Lambda's init: index.mjs reaches it only by dynamic import", () => {
    const index = readFileSync(dist('index.mjs'), 'utf8');
    const handlerChunk = readdirSync(dist('chunks')).find((name) => /^handler-.*\.mjs$/.test(name));
    expect(handlerChunk).toBeDefined();
    expect(index).toContain(`import("./chunks/${handlerChunk}")`);
    expect(index).not.toContain('ModifyUser');
    expect(JSON.parse(readFileSync(dist('size.json'), 'utf8')).initBytes).toBeLessThan(8 * 1024);
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
