/**
 * A Stryker ignorer plugin for `pnpm mutation --sample`: a `mutate` range covering a sampled mutant's span also
 * covers every mutant nested in it (a block statement's range holds its whole body). This ignorer keeps only
 * nodes whose span is a sampled mutant's, or that contain one (a sampled node nested in another sampled span),
 * so Stryker tests the sample and little else. Stryker reports the rest as Ignored.
 *
 * The spans come from the JSON file named by ROTOR_MUTATION_SAMPLE_SPANS (written by scripts/mutation-sample.mjs):
 * [{ path, length, start: { line, column }, end: { line, column } }], lines 1-based, columns 0-based, as babel's
 * node locations. Stryker's parser leaves node locations without a file name, so a span's file is told by its
 * length in characters (the program node's end); files of equal length share their spans (ignoring less, never
 * more). Plain objects stand for @stryker-mutator/api's declareValuePlugin (not a dependency).
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
  const program = path.isProgram() ? path : path.findParent((parent) => parent.isProgram());
  const length = program?.node.end;
  const mine = spans.filter((span) => length === undefined || span.length === length);
  const keep = mine.some(
    (span) =>
      (same(loc.start, span.start) && same(loc.end, span.end)) ||
      (before(loc.start, span.start) && before(span.end, loc.end)),
  );
  return keep ? undefined : 'not in the sample (pnpm mutation --sample)';
}

export const strykerPlugins = [{ kind: 'Ignore', name: 'rotor-sample', value: { shouldIgnore } }];
