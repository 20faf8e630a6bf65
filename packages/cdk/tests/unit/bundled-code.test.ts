import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleDirectory } from '../../src/bundled-code.ts';

describe('bundled code', () => {
  it.each(['elasticache-rotation', 'redshift-rotation', 'postgres-rotation'] as const)(
    '%s: the built app bundle, with its handler, is in the package',
    async (app) => {
      const directory = bundleDirectory(app);
      const built = readFileSync(join(import.meta.dirname, `../../../../apps/${app}/dist/index.mjs`), 'utf8');
      // The same code, less the comment naming a source map the package does not ship (copy-assets.mjs).
      const withoutMapComment = built.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
      expect(readFileSync(join(directory, 'index.mjs'), 'utf8')).toBe(withoutMapComment);
      expect(readFileSync(join(directory, 'index.mjs'), 'utf8')).not.toContain('sourceMappingURL');
      const module = (await import(join(directory, 'index.mjs'))) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    },
  );
});
