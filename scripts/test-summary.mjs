// Adds up the vitest JSON reports of every package and prints one line: `N passed, N failed`.
// A package whose tests were expected but left no report counts as a failure: it crashed before reporting.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ['packages', 'apps', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const hasTests = Boolean(JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test);
    const report = join(dir, 'test-results.json');
    if (!existsSync(report)) {
      if (hasTests) missing.push(dir);
      continue;
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    // A suite that failed to load (syntax error, missing server) has no tests but is a failure.
    for (const suite of json.testResults ?? []) {
      if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
    }
  }
}
for (const dir of missing) console.error(`no test report from ${dir}: its test run crashed`);
failed += missing.length;
// Skips are reported on their own line: the last line is exactly `N passed, N failed`, as CI expects.
if (skipped > 0) console.log(`${skipped} skipped (named opt-outs; see the test output)`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
