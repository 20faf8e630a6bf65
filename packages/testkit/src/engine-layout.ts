/**
 * The shape every engine package shares (decision 0100), checked from its files so that it stays shared:
 *
 * - `src/<e>-engine.ts`: the wiring, the `defineEngine` call;
 * - `src/<e>-operations.ts`: the operations, plain functions (more modules may sit next to it);
 * - `src/<e>-options.ts`: the factory's options and their parsing;
 * - `src/<e>-secret.ts`: the secret's schema;
 * - `src/index.ts`: exports only from those three public modules (engine, options, secret), so a package
 *   publishes what an engine user needs and nothing of its insides.
 *
 * `<e>` is the package directory's name without `engine-` (`packages/engine-acme` -> `acme`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** What is wrong with the layout of the engine package in `packageDir`; empty when it has the shared shape. */
export function engineLayoutProblems(packageDir: string): string[] {
  const name = basename(packageDir).replace(/^engine-/, '');
  const src = join(packageDir, 'src');
  const problems: string[] = [];
  const required = ['engine', 'operations', 'options', 'secret'].map((part) => `${name}-${part}.ts`);
  for (const file of [...required, 'index.ts']) {
    if (!existsSync(join(src, file))) problems.push(`src/${file} is missing`);
  }
  const wiring = join(src, `${name}-engine.ts`);
  if (existsSync(wiring) && !/\bdefineEngine\s*[<(]/.test(readFileSync(wiring, 'utf8'))) {
    problems.push(`src/${name}-engine.ts does not call defineEngine (it is the wiring)`);
  }
  const index = join(src, 'index.ts');
  if (existsSync(index)) {
    const publicModules = ['engine', 'options', 'secret'].map((part) => `./${name}-${part}.js`);
    const text = readFileSync(index, 'utf8');
    for (const match of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
      const source = match[1] ?? '';
      if (!publicModules.includes(source)) {
        problems.push(
          `src/index.ts exports from ${source}; an engine's public surface is ${publicModules.join(', ')}`,
        );
      }
    }
    if (/export\s+\*/.test(text))
      problems.push('src/index.ts re-exports a whole module (`export *`); name what it exports');
  }
  return problems;
}
