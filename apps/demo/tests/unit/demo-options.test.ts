import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src/demo-options.js';
import { scenarioPlan } from '../../src/demo-session.js';

function parse(argv: string[]) {
  let err = '';
  let out = '';
  const result = parseDemoArgs(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { result, err, out };
}

describe('parseDemoArgs', () => {
  it('defaults to every engine and strategy, 4 rotations 1 s apart, throwaway servers', () => {
    const { result } = parse([]);
    expect(result).toMatchObject({
      kind: 'run',
      options: {
        engines: ['elasticache', 'redshift'],
        rotations: 4,
        pauseMs: 1000,
        redisUrl: undefined,
        postgresUrl: undefined,
      },
    });
    if (result.kind !== 'run') return;
    expect(scenarioPlan(result.options).map(([e, s]) => `${e}/${s}`)).toEqual([
      'elasticache/dual-password',
      'elasticache/single-user',
      'elasticache/alternating-users',
      'redshift/single-user',
      'redshift/alternating-users',
    ]);
  });

  it('selects engines and strategies, skipping combinations an engine does not offer', () => {
    const { result } = parse([
      '--engines',
      'redshift,elasticache',
      '--strategies',
      'dual-password',
      '--rotations',
      '7',
    ]);
    if (result.kind !== 'run') throw new Error('expected run');
    expect(result.options.engines).toEqual(['elasticache']);
    expect(scenarioPlan(result.options)).toEqual([['elasticache', 'dual-password']]);
    expect(result.options.rotations).toBe(7);
  });

  it('takes existing servers by URL', () => {
    const { result } = parse([
      '--redis-url',
      'rediss://default:pw@127.0.0.1:7000',
      '--redis-ca-file',
      '/etc/redis/ca.pem',
      '--postgres-url',
      'postgres://u:p@127.0.0.1:5433/db',
    ]);
    expect(result).toMatchObject({
      options: {
        redisUrl: 'rediss://default:pw@127.0.0.1:7000',
        redisCaFile: '/etc/redis/ca.pem',
        postgresUrl: 'postgres://u:p@127.0.0.1:5433/db',
      },
    });
  });

  it.each([
    [['--engines', 'mysql'], 'expected a comma-separated list of elasticache, redshift'],
    [['--rotations', '0'], 'expected a whole number from 1'],
    [['--rotations', 'many'], 'expected a whole number'],
    [['--engines', 'redshift', '--strategies', 'dual-password'], 'none of the engines redshift supports'],
    [['--colour'], "unknown option '--colour'"],
  ])('rejects %j with exit code 2', (argv, message) => {
    const { result, err } = parse(argv);
    expect(result).toEqual({ kind: 'exit', code: 2 });
    expect(err).toContain(message);
  });

  it('prints help and exits 0', () => {
    const { result, out } = parse(['--help']);
    expect(result).toEqual({ kind: 'exit', code: 0 });
    expect(out).toContain('--postgres-url <url>');
  });
});
