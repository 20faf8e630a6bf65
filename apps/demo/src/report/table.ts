/**
 * Plain-text tables for terminals and logs: a header, a rule, and columns padded to their widest cell.
 * Columns whose cells all look numeric are right-aligned.
 */
export interface TableOptions {
  /** Indices of columns to right-align; default: every column whose body cells look like numbers or durations. */
  alignRight?: readonly number[];
}

const NUMERIC = /^[-+]?[\d.,]+\s*(ms|s|%|x|KB|MB|KiB|MiB|\/s)?$|^-$/;

export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const columns = header.length;
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const right = new Set(
    options.alignRight ??
      header
        .map((_, i) => i)
        .filter((i) => i > 0 && rows.length > 0 && rows.every((row) => NUMERIC.test((row[i] ?? '').trim()))),
  );
  const line = (cells: readonly string[]) =>
    Array.from({ length: columns }, (_, i) => {
      const cell = cells[i] ?? '';
      const width = widths[i] ?? 0;
      return right.has(i) ? cell.padStart(width) : cell.padEnd(width);
    })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
