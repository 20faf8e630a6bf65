import { pollUntil } from '@rotor/core/engine';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from '../../src/cli-logger.js';
import { createWaitProgress } from '../../src/wait-progress.js';

/** Waits through core's pollUntil, as engines do, for `checks` checks. */
async function waitThroughCore(logger: ReturnType<typeof createCliLogger>, checks: number) {
  let count = 0;
  await pollUntil(
    async () => (++count >= checks ? 'active' : undefined),
    { signal: new AbortController().signal, step: 'testSecret', logger },
    { description: 'ElastiCache user "app" to become active', initialDelayMs: 1, maxDelayMs: 2 },
  );
}

/** ANSI: erase the whole line. */
const ERASE_LINE = `${String.fromCharCode(27)}[2K`;

function output() {
  let text = '';
  const write = (chunk: string) => {
    text += chunk;
  };
  return { write, text: () => text };
}

describe('wait progress', () => {
  it('without a terminal, prints one line per check at the default level', async () => {
    const out = output();
    let clock = 0;
    const progress = createWaitProgress({ write: out.write, tty: false, now: () => (clock += 1000) });
    const logger = createCliLogger({ write: out.write, verbose: false, progress });
    await waitThroughCore(logger, 4);
    logger.info('User "app" is active');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      '    waiting for ElastiCache user "app" to become active: 1 s, 1 checks',
      '    waiting for ElastiCache user "app" to become active: 2 s, 2 checks',
      '    waiting for ElastiCache user "app" to become active: 3 s, 3 checks',
      '    User "app" is active',
    ]);
  });

  it('on a terminal, rewrites one spinner line and erases it before the next output', async () => {
    const out = output();
    const progress = createWaitProgress({ write: out.write, tty: true });
    const logger = createCliLogger({ write: out.write, verbose: false, progress });
    await waitThroughCore(logger, 3);
    logger.info('User "app" is active');
    const text = out.text();
    const redraw = `\r${ERASE_LINE}  `;
    const redraws = text.split(redraw).slice(1);
    const spinnerLines = redraws.filter((part) =>
      /^\S waiting for ElastiCache user "app" to become active: \d+ s, \d checks/.test(part),
    );
    expect(spinnerLines.length).toBeGreaterThanOrEqual(2);
    // No newline until the wait ends: the spinner line is rewritten in place (a timer may add redraws).
    expect(text.split('\n')).toHaveLength(2);
    expect(text.endsWith(`\r${ERASE_LINE}    User "app" is active\n`)).toBe(true);
  });

  it('with --verbose, shows the raw poll lines instead', async () => {
    const out = output();
    const progress = createWaitProgress({ write: out.write, tty: false });
    const logger = createCliLogger({ write: out.write, verbose: true, progress });
    await waitThroughCore(logger, 2);
    expect(out.text()).toMatch(
      /^ {4}debug: Waiting [\d.]+ ms for ElastiCache user "app" to become active \(attempt 1\)\n$/,
    );
  });
});
