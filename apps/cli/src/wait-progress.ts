/**
 * Progress while an engine waits for its target (ElastiCache users stay `modifying` for minutes). Engines wait
 * with core's `pollUntil`, which logs one debug line per check; the CLI turns those lines into progress at the
 * default level: on a terminal one spinner line rewritten in place, otherwise one line per check.
 */

/** core's pollUntil: `Waiting <ms> ms for <what> (attempt <n>)`. */
const POLL_LINE = /^Waiting [\d.]+ ms for (.+) \(attempt (\d+)\)$/;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 120;

export interface WaitProgress {
  /** Shows `message` as progress when it is a poll line; returns whether it was one. */
  offer(message: string): boolean;
  /** Ends the progress display (before any other output, and when the step ends). */
  clear(): void;
}

export function createWaitProgress(options: {
  write: (text: string) => void;
  tty: boolean;
  now?: () => number;
}): WaitProgress {
  const now = options.now ?? Date.now;
  let waitingFor: string | undefined;
  let startedAt = 0;
  let checks = 0;
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const describe = () =>
    `waiting for ${waitingFor}: ${Math.round((now() - startedAt) / 1000)} s, ${checks} checks`;
  const redraw = () => {
    frame = (frame + 1) % SPINNER.length;
    options.write(`\r\x1b[2K  ${SPINNER[frame]} ${describe()}`);
  };

  return {
    offer(message) {
      const poll = POLL_LINE.exec(message);
      if (!poll) return false;
      if (poll[1] !== waitingFor) {
        this.clear();
        waitingFor = poll[1];
        startedAt = now();
      }
      checks = Number(poll[2]);
      if (!options.tty) {
        options.write(`    ${describe()}\n`);
        return true;
      }
      redraw();
      if (!timer) {
        timer = setInterval(redraw, FRAME_MS);
        timer.unref?.();
      }
      return true;
    },
    clear() {
      if (timer) {
        clearInterval(timer);
        timer = undefined;
      }
      if (options.tty && waitingFor !== undefined) options.write('\r\x1b[2K');
      waitingFor = undefined;
    },
  };
}
