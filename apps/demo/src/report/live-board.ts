/**
 * The live block `pnpm demo` redraws on a terminal: every scenario with its state, the running one with a
 * progress bar and its clients' logins.
 */
import { progressBar } from './progress.js';
import { formatDuration } from './stats.js';

export type BoardEntry =
  | { label: string; state: 'waiting' }
  | { label: string; state: 'setting-up' }
  | {
      label: string;
      state: 'rotating';
      done: number;
      total: number;
      lastMs: number | undefined;
      logins: Record<string, { attempted: number; failed: number }>;
    }
  | {
      label: string;
      state: 'done';
      rotations: number;
      total: number;
      p50Ms: number | undefined;
      logins: number;
      failed: number;
    };

const LABEL_WIDTH = 30;

export function renderBoard(entries: readonly BoardEntry[]): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const label = entry.label.padEnd(LABEL_WIDTH);
    switch (entry.state) {
      case 'waiting':
        lines.push(`  .  ${entry.label}`);
        break;
      case 'setting-up':
        lines.push(`  >  ${label}setting up (operator workflow)...`);
        break;
      case 'rotating':
        lines.push(
          `  >  ${label}${progressBar(entry.done, entry.total)}   last ${formatDuration(entry.lastMs)}`,
        );
        lines.push(
          `     ${Object.entries(entry.logins)
            .map(([kind, s]) => `${kind} client: ${s.attempted} logins, ${s.failed} failed`)
            .join('   ')}`,
        );
        break;
      case 'done':
        lines.push(
          `  ${entry.rotations === entry.total ? 'ok' : '!!'} ${label}${entry.rotations}/${entry.total} rotations, ` +
            `p50 ${formatDuration(entry.p50Ms)}, ${entry.logins} logins, ${entry.failed} failed`,
        );
        break;
    }
  }
  return lines;
}
