// Removes stale per-package vitest reports so the summary only counts this run.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

for (const group of ['packages', 'apps', 'examples']) {
  let entries = [];
  try {
    entries = readdirSync(group);
  } catch {
    continue;
  }
  for (const name of entries) rmSync(join(group, name, 'test-results.json'), { force: true });
}
