import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineLayoutProblems } from '@rotor/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An engine package `engine-acme` with the given src files. */
function enginePackage(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rotor-layout-'));
  made.push(root);
  const dir = join(root, 'engine-acme');
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'src', file), text);
  return dir;
}

const wellShaped = {
  'acme-engine.ts': "export const acmeEngine = () => defineEngine<AcmeSecret>({ engineId: 'acme' });\n",
  'acme-operations.ts': 'export async function login() {}\n',
  'acme-options.ts': 'export const acmeEngineOptionsSchema = {};\n',
  'acme-secret.ts': 'export const acmeSecretSchema = {};\n',
  'index.ts': [
    "export { acmeEngine } from './acme-engine.js';",
    "export { acmeEngineOptionsSchema } from './acme-options.js';",
    "export { acmeSecretSchema } from './acme-secret.js';",
  ].join('\n'),
};

describe('engineLayoutProblems', () => {
  it('accepts the shared shape', () => {
    expect(engineLayoutProblems(enginePackage(wellShaped))).toEqual([]);
  });

  it('names every missing file', () => {
    const { 'acme-operations.ts': _operations, 'acme-secret.ts': _secret, ...rest } = wellShaped;
    expect(engineLayoutProblems(enginePackage(rest))).toEqual([
      'src/acme-operations.ts is missing',
      'src/acme-secret.ts is missing',
    ]);
  });

  it('refuses an index that exports internals, or a whole module', () => {
    const dir = enginePackage({
      ...wellShaped,
      'index.ts': `${wellShaped['index.ts']}\nexport { quoteIdent } from './sql.js';\nexport * from './acme-options.js';\n`,
    });
    expect(engineLayoutProblems(dir)).toEqual([
      "src/index.ts exports from ./sql.js; an engine's public surface is ./acme-engine.js, ./acme-options.js, ./acme-secret.js",
      'src/index.ts re-exports a whole module (`export *`); name what it exports',
    ]);
  });

  it('refuses wiring that does not call defineEngine', () => {
    const dir = enginePackage({ ...wellShaped, 'acme-engine.ts': 'export const acmeEngine = () => ({});\n' });
    expect(engineLayoutProblems(dir)).toEqual([
      'src/acme-engine.ts does not call defineEngine (it is the wiring)',
    ]);
  });
});
