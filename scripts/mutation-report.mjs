/** The parts of pnpm mutation's write-up that full and sampled runs share. */

/** "Killed 12, Survived 3", then the Stryker time when known. */
export function countsAndTime(summary, minutes, concurrency) {
  const counts = Object.entries(summary.counts)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const time =
    minutes === undefined ? '' : `, ${minutes.toFixed(1)} min of Stryker with concurrency ${concurrency}`;
  return `${counts})${time}`;
}

/** One line per surviving mutant: file:line mutator → replacement. */
export function survivorLines(survivors) {
  return survivors.map(
    (s) =>
      `- ${s.path}:${s.start.line} ${s.mutator}${s.status === 'NoCoverage' ? ' (no test runs it)' : ''} → \`${s.replacement.slice(0, 80).replaceAll('`', "'")}\``,
  );
}
