import { describe, expect, it } from 'vitest';
import { createProgress, progressBar } from '../../src/report/progress.js';

function stream(isTTY: boolean, columns = 80) {
  let written = '';
  return {
    isTTY,
    columns,
    write(text: string) {
      written += text;
      return true;
    },
    text: () => written,
  };
}

describe('createProgress', () => {
  it('writes plain lines without escape codes when not on a terminal, and ignores the live block', () => {
    const out = stream(false);
    const progress = createProgress(out);
    progress.render(['live 1']);
    progress.log('rotation 1 done');
    progress.render(['live 2']);
    progress.done();
    expect(progress.interactive).toBe(false);
    expect(out.text()).toBe('rotation 1 done\n');
  });

  it('redraws the live block in place on a terminal and keeps logged lines above it', () => {
    const out = stream(true);
    const progress = createProgress(out);
    progress.render(['a', 'b']);
    progress.log('event');
    progress.render(['c']);
    progress.done();
    expect(out.text()).toBe(
      'a\nb\n' + // first draw
        '\u001b[2A\r\u001b[0Jevent\na\nb\n' + // erase 2 lines, log, redraw
        '\u001b[2A\r\u001b[0Jc\n' + // replace the block
        '\u001b[1A\r\u001b[0J', // done clears it
    );
  });

  it('cuts live lines to the terminal width so the cursor arithmetic holds', () => {
    const out = stream(true, 21);
    const progress = createProgress(out);
    progress.render(['x'.repeat(50)]);
    expect(out.text()).toBe(`${'x'.repeat(19)}…\n`);
  });

  it('writes plain lines after done', () => {
    const out = stream(true);
    const progress = createProgress(out);
    progress.done();
    progress.log('report');
    expect(out.text()).toBe('report\n');
  });
});

describe('progressBar', () => {
  it('fills in proportion and clamps', () => {
    expect(progressBar(5, 10, 10)).toBe('[#####.....]  5/10');
    expect(progressBar(0, 3, 4)).toBe('[....] 0/3');
    expect(progressBar(9, 3, 4)).toBe('[####] 9/3');
    expect(progressBar(0, 0, 4)).toBe('[....] 0/0');
  });
});
