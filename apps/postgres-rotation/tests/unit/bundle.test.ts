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

  it('keeps the RDS client off the cold-start path: only a dynamic import reaches it', () => {
    const index = readFileSync(dist('index.mjs'), 'utf8');
    const lookup = readdirSync(dist('chunks')).find((name) => name.startsWith('rds-lookup-'));
    expect(lookup).toBeDefined();
    expect(index).toContain(`import("./chunks/${lookup}")`);
    expect(index).not.toMatch(new RegExp(`from\\s*"\\./chunks/${lookup}"`));
    expect(index).not.toContain('DescribeDBInstances');
  });

  it('exports an async handler that keeps error class names', async () => {
    const bundle = await import(`${pathToFileURL(dist('index.mjs')).href}?bundle-test`);
    expect(typeof bundle.handler).toBe('function');
    await expect(bundle.handler({ Step: 'nope' })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });
});
