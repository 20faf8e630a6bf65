import { describe, expect, it } from 'vitest';
import { renderBoard } from '../../src/report/live-board.js';

describe('renderBoard', () => {
  it('shows finished, running and waiting scenarios, the running one with its bar and logins', () => {
    const lines = renderBoard([
      {
        label: 'elasticache/dual-password',
        state: 'done',
        rotations: 4,
        total: 4,
        p50Ms: 672,
        logins: 226,
        failed: 0,
      },
      {
        label: 'elasticache/single-user',
        state: 'rotating',
        done: 2,
        total: 4,
        lastMs: 651,
        logins: { rotor: { attempted: 120, failed: 0 } },
      },
      { label: 'redshift/single-user', state: 'waiting' },
    ]);
    expect(lines).toEqual([
      '  ok elasticache/dual-password     4/4 rotations, p50 672 ms, 226 logins, 0 failed',
      '  >  elasticache/single-user       [##########..........] 2/4   last 651 ms',
      '     rotor client: 120 logins, 0 failed',
      '  .  redshift/single-user',
    ]);
  });

  it('marks a scenario whose rotations did not all succeed', () => {
    const [line] = renderBoard([
      { label: 'x', state: 'done', rotations: 3, total: 4, p50Ms: 1, logins: 0, failed: 0 },
    ]);
    expect(line?.startsWith('  !! x')).toBe(true);
  });
});
