import { describe, expect, it } from 'vitest';
import {
  allRotationsSucceeded,
  apiCallsPerRotation,
  renderScenarioTable,
  type ScenarioResult,
} from '../../src/report/scenario-result.js';
import { renderTable } from '../../src/report/table.js';

function result(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    engine: 'elasticache',
    strategy: 'single-user',
    rotationsRequested: 4,
    rotationMs: [400, 100, 300, 200],
    rotationsFailed: 0,
    logins: { attempted: 200, failed: 3 },
    apiCalls: { secretsmanager: 40, elasticache: 12 },
    notes: [],
    ...overrides,
  };
}

describe('renderTable', () => {
  it('pads columns, right-aligns numeric ones and draws a rule under the header', () => {
    const text = renderTable(
      ['NAME', 'COUNT'],
      [
        ['a', '5'],
        ['long name', '120'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'NAME       COUNT',
      '---------  -----',
      'a              5',
      'long name    120',
    ]);
  });
});

describe('renderScenarioTable', () => {
  it('shows rotations, p50/p95, logins and API calls per rotation by service', () => {
    const text = renderScenarioTable([result()]);
    const [header, , row] = text.split('\n');
    expect(header).toMatch(
      /^ENGINE\s+STRATEGY\s+ROTATIONS\s+P50\s+P95\s+LOGINS\s+FAILED LOGINS\s+API CALLS \/ ROTATION$/,
    );
    expect(row).toContain('elasticache');
    expect(row).toContain('4/4');
    expect(row).toContain('200 ms'); // p50 of 100..400 by nearest rank
    expect(row).toContain('400 ms'); // p95
    expect(row).toContain('3 (1.5%)');
    expect(row).toContain('13.0 (elasticache 3.0, secretsmanager 10.0)');
  });

  it('counts failed rotations and shows - when nothing finished', () => {
    const text = renderScenarioTable([
      result({ rotationMs: [100], rotationsFailed: 1, rotationsRequested: 2 }),
      result({ rotationMs: [], rotationsRequested: 2, logins: { attempted: 0, failed: 0 }, apiCalls: {} }),
    ]);
    const rows = text.split('\n').slice(2);
    expect(rows[0]).toContain('1/2 (1 failed)');
    expect(rows[1]).toMatch(/0\/2\s+-\s+-\s+0\s+0 \(-\)\s+-$/);
  });
});

describe('apiCallsPerRotation and allRotationsSucceeded', () => {
  it('divides all counted calls by the rotations that finished, failed ones included', () => {
    expect(apiCallsPerRotation(result())).toBe(13);
    expect(apiCallsPerRotation(result({ rotationMs: [1], rotationsFailed: 1 }))).toBe(26);
    expect(apiCallsPerRotation(result({ rotationMs: [] }))).toBeUndefined();
  });

  it('is true only when every requested rotation finished', () => {
    expect(allRotationsSucceeded([result()])).toBe(true);
    expect(allRotationsSucceeded([result({ rotationsFailed: 1, rotationMs: [1, 2, 3] })])).toBe(false);
    expect(allRotationsSucceeded([result({ rotationMs: [1, 2, 3] })])).toBe(false);
  });
});
