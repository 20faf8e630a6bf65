/**
 * Progress output. On a terminal: a live block of lines redrawn in place (ANSI cursor-up and erase), with
 * finished events printed above it. Elsewhere (CI, pipes, files): plain lines, one per event, never redrawn.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface Progress {
  /** A line that stays (a finished step, a warning). */
  log(line: string): void;
  /** Replaces the live block (TTY only; ignored elsewhere, where `log` carries the events). */
  render(lines: readonly string[]): void;
  /** Clears the live block and stops redrawing. */
  done(): void;
  readonly interactive: boolean;
}

const ERASE_LINE_AND_BELOW = '\u001b[0J';
const cursorUp = (n: number) => (n > 0 ? `\u001b[${n}A\r` : '\r');

export function createProgress(stream: ProgressStream, options: { interactive?: boolean } = {}): Progress {
  const interactive = options.interactive ?? stream.isTTY === true;
  if (!interactive) {
    return {
      interactive,
      log: (line) => {
        stream.write(`${line}\n`);
      },
      render: () => {},
      done: () => {},
    };
  }
  let live: readonly string[] = [];
  let finished = false;
  const width = () => Math.max(20, (stream.columns ?? 100) - 1);
  // Long lines would wrap and break the cursor arithmetic; cut them to the terminal width.
  const fit = (line: string) => (line.length > width() ? `${line.slice(0, width() - 1)}…` : line);
  const clear = () => (live.length > 0 ? cursorUp(live.length) + ERASE_LINE_AND_BELOW : '');
  const draw = () => live.map((line) => `${fit(line)}\n`).join('');
  return {
    interactive,
    log(line) {
      if (finished) {
        stream.write(`${line}\n`);
        return;
      }
      stream.write(`${clear()}${line}\n${draw()}`);
    },
    render(lines) {
      if (finished) return;
      const before = clear();
      live = [...lines];
      stream.write(before + draw());
    },
    done() {
      if (finished) return;
      stream.write(clear());
      live = [];
      finished = true;
    },
  };
}

/** `[#######.............]  7/20` */
export function progressBar(done: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}
