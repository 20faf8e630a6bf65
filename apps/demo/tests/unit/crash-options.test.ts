import type { BaselineCall, CrashCase } from '@rotor/testkit/crash';
import { enumerateCases } from '@rotor/testkit/crash';
import { describe, expect, it } from 'vitest';
import { parseCrashArgs } from '../../src/crash/crash-options.js';
import { SCENARIO_SPECS } from '../../src/crash/scenarios/index.js';
import { selectSubset } from '../../src/crash/subsets.js';

function parse(argv: string[]) {
  let err = '';
  let out = '';
  const result = parseCrashArgs(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { result, err, out };
}

describe('pnpm crash flags', () => {
  it('runs every scenario in every mode by default', () => {
    const { result } = parse([]);
    if (result.kind !== 'run') throw new Error('not a run');
    expect(result.options.scenarios.map((spec) => spec.name)).toEqual(
      SCENARIO_SPECS.map((spec) => spec.name),
    );
    expect(result.options.modes).toEqual(['kill', 'reset', 'endpoint']);
    expect(result.options.subset).toBe('all');
  });

  it('takes scenario names or prefixes and modes', () => {
    const { result } = parse(['--scenario', 'redshift/single-user,postgres', '--mode', 'endpoint,kill']);
    if (result.kind !== 'run') throw new Error('not a run');
    expect(result.options.scenarios.map((spec) => spec.name)).toEqual([
      'redshift/single-user/pg',
      'redshift/single-user/data-api',
      'postgres/single-user',
      'postgres/alternating-users',
    ]);
    expect(result.options.modes).toEqual(['kill', 'endpoint']);
  });

  it('refuses an unknown scenario or mode in one line, exit 2', () => {
    for (const argv of [
      ['--scenario', 'mongodb'],
      ['--mode', 'unplug'],
      ['--concurrency', '0'],
    ]) {
      const { result, err } = parse(argv);
      expect(result).toEqual({ kind: 'exit', code: 2 });
      expect(err.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(parse(['--scenario', 'mongodb']).err).toContain('unknown scenario "mongodb"');
  });

  it('prints help and exits 0', () => {
    const { result, out } = parse(['--help']);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(out).toContain('crash matrix: N points, N converged, N failed');
    expect(out).toContain('--subset');
  });
});

describe('the CI subset', () => {
  const call = (step: BaselineCall['step'], index: number, label: string): BaselineCall => ({
    step,
    index,
    label,
    replied: true,
  });
  const calls = [
    call('createSecret', 0, 'secretsmanager DescribeSecret'),
    call('createSecret', 1, 'secretsmanager GetSecretValue(AWSCURRENT)'),
    call('createSecret', 2, 'secretsmanager PutSecretValue'),
    call('setSecret', 0, 'secretsmanager DescribeSecret'),
    call('setSecret', 1, 'pg login'),
    call('setSecret', 2, 'pg ALTER ROLE'),
    call('setSecret', 3, 'secretsmanager DescribeSecret'),
    call('testSecret', 0, 'secretsmanager DescribeSecret'),
    call('testSecret', 1, 'pg login'),
    call('finishSecret', 0, 'secretsmanager DescribeSecret'),
    call('finishSecret', 1, 'secretsmanager UpdateSecretVersionStage'),
  ];
  const all = enumerateCases('s', calls, ['kill', 'reset', 'endpoint']);
  const key = (c: CrashCase) => `${c.mode} ${c.step}#${c.index} ${c.phase}`;

  it('keeps every step, the calls that change something, and an endpoint restart in setSecret and testSecret', () => {
    const chosen = selectSubset('ci', all, calls).map(key);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(chosen.some((c) => c.includes(` ${step}#`))).toBe(true);
    }
    expect(chosen).toContain('reset setSecret#2 before');
    expect(chosen).toContain('kill setSecret#2 after');
    expect(chosen).toContain('reset createSecret#2 before');
    expect(chosen).toContain('kill finishSecret#1 after');
    expect(chosen).toContain('endpoint setSecret#3 after');
    expect(chosen).toContain('endpoint testSecret#1 after');
    expect(chosen).not.toContain('kill setSecret#1 after');
    expect(chosen.length).toBeLessThan(all.length / 2);
    expect(selectSubset('all', all, calls)).toHaveLength(all.length);
  });
});
