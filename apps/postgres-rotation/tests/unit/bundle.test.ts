import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

// dist/ is built by tests/global-setup.ts, exactly as `pnpm build` builds it.
const dist = (name = '') => fileURLToPath(new URL(`../../dist/${name}`, import.meta.url));

describe('the built artifact', () => {
  it('stays within both size budgets', () => {
    const sizes = JSON.parse(readFileSync(dist('size.json'), 'utf8'));
    expect(sizes.minifiedBytes).toBeLessThanOrEqual(sizes.minifiedBudgetBytes);
    expect(sizes.zipBytes).toBeLessThanOrEqual(sizes.zipBudgetBytes);
    expect(sizes.zipBytes).toBe(readFileSync(dist('postgres-rotation.zip')).length);
  });

  it('zips index.mjs (handler index.handler), the chunks and their source maps, byte for byte', () => {
    const entries = unzipSync(readFileSync(dist('postgres-rotation.zip')));
    const chunks = readdirSync(dist('chunks')).map((name) => `chunks/${name}`);
    expect(Object.keys(entries).sort()).toEqual(['index.mjs', 'index.mjs.map', ...chunks].sort());
    for (const [name, data] of Object.entries(entries)) {
      expect(Buffer.from(data).equals(readFileSync(dist(name))), name).toBe(true);
    }
  });

  it('keeps the RDS client off the cold-start path and off the first load: only a dynamic import reaches it', () => {
    const chunks = readdirSync(dist('chunks'));
    const lookup = chunks.find((name) => name.startsWith('rds-lookup-'));
    const handlerChunk = chunks.find((name) => /^handler-.*\.mjs$/.test(name));
    expect(lookup).toBeDefined();
    expect(handlerChunk).toBeDefined();
    // index.mjs (Lambda's init) loads the function by dynamic import; the function loads the lookup the same way.
    const index = readFileSync(dist('index.mjs'), 'utf8');
    expect(index).toContain(`import("./chunks/${handlerChunk}")`);
    expect(index).not.toContain('DescribeDBInstances');
    const handler = readFileSync(dist(`chunks/${handlerChunk}`), 'utf8');
    expect(handler).toContain(`import("./${lookup}")`);
    expect(handler).not.toMatch(new RegExp(`from\\s*"\\./${lookup}"`));
    expect(handler).not.toContain('DescribeDBInstances');
  });

  it('exports an async handler that keeps error class names', async () => {
    const bundle = await import(`${pathToFileURL(dist('index.mjs')).href}?bundle-test`);
    expect(typeof bundle.handler).toBe('function');
    await expect(bundle.handler({ Step: 'nope' })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });
});
