/**
 * A Stryker ignorer plugin for `pnpm mutation --sample`: a `mutate` range covering a sampled mutant's span also
 * covers every mutant nested in it (a block statement's range holds its whole body). This ignorer keeps only
 * nodes whose span is a sampled mutant's, or that contain one (a sampled node nested in another sampled span),
 * so Stryker tests the sample and little else. Stryker reports the rest as Ignored.
 *
 * The spans come from the JSON file named by ROTOR_MUTATION_SAMPLE_SPANS (written by scripts/mutation.mjs):
 * [{ path: 'src/x.ts', start: { line, column }, end: { line, column } }], lines 1-based, columns 0-based, as
 * babel's node locations. Plain objects stand for @stryker-mutator/api's declareValuePlugin (not a dependency).
 */
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by Stryker's process (pnpm mutation), never by a turbo task
const spansFile = process.env.ROTOR_MUTATION_SAMPLE_SPANS;
const spans = spansFile ? JSON.parse(readFileSync(spansFile, 'utf8')) : [];

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const same = (a, b) => a.line === b.line && a.column === b.column;

function shouldIgnore(path) {
  const loc = path.node.loc;
  if (!loc) return undefined;
  // babel gives the parsed file's name; without it, every file's spans count (ignoring less, never more).
  const file = loc.filename?.replaceAll('\\', '/');
  const mine = spans.filter((span) => !file || file === span.path || file.endsWith(`/${span.path}`));
  const keep = mine.some(
    (span) =>
      (same(loc.start, span.start) && same(loc.end, span.end)) ||
      (before(loc.start, span.start) && before(span.end, loc.end)),
  );
  return keep ? undefined : 'not in the sample (pnpm mutation --sample)';
}

export const strykerPlugins = [{ kind: 'Ignore', name: 'rotor-sample', value: { shouldIgnore } }];
