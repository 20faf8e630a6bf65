import { describe, expect, it } from 'vitest';
import { type BenchReport, renderBenchReport } from '../../src/bench/run-bench.js';
import { summarize } from '../../src/report/stats.js';

const report: BenchReport = {
  machine: {
    cpuCount: 2,
    cpuModel: 'Test CPU',
    memoryGiB: 8,
    node: 'v20.0.0',
    platform: 'linux',
    date: 'd',
    loadAverageAtStart: [1],
    loadAverageAtEnd: [2],
  },
  options: {
    engines: ['elasticache'],
    strategies: ['dual-password'],
    rotations: 3,
    loginRotations: 2,
    spacingMs: 6000,
    loginWorkers: 4,
    loginIntervalMs: 20,
    modifyingDelayMs: 1000,
    importRuns: 3,
    scaleSizes: [10],
    scaleConcurrency: 5,
    scaleModifyingDelayMs: 100,
    reconnectConnections: 200,
    sweepDelaysMs: [1000],
    sweepRotations: 1,
    stormSizes: [10],
    phases: {
      timing: true,
      logins: true,
      bundles: true,
      scale: true,
      reconnect: true,
      sweep: true,
      storm: true,
      client: true,
    },
  },
  timing: [
    {
      engine: 'elasticache',
      strategy: 'dual-password',
      rotations: 3,
      failed: 0,
      retries: 1,
      rotationMs: summarize([1400, 1500, 1600]),
      callsPerRotation: {
        elasticache: { DescribeUsers: 10, ModifyUser: 1 },
        secretsmanager: { PutSecretValue: 1 },
      },
      callsPerRotationTotal: 12,
      invocations: {
        perRotation: 4,
        coldStarts: 1,
        initMsMedian: 150,
        stepMsMedian: { createSecret: 10, setSecret: 40, testSecret: 1400, finishSecret: 5 },
      },
      waitingOverheadMs: summarize([400, 420, 440]),
      waitsPerRotation: 1,
    },
  ],
  logins: [
    {
      engine: 'elasticache',
      strategy: 'dual-password',
      rotations: 2,
      clients: {
        rotor: { attempted: 1000, failed: 0, failuresByReason: {} },
        naive: { attempted: 900, failed: 90, failuresByReason: { WRONGPASS: 90 } },
      },
    },
  ],
  bundles: {
    baseline: {
      name: 'secrets-manager client only',
      path: 'x',
      bytes: 300 * 1024,
      gzipBytes: 90 * 1024,
      importMs: 50,
      importRunsMs: [50],
      firstLoadMs: 0,
    },
    bundles: [
      {
        name: 'elasticache-rotation',
        path: 'y',
        bytes: 600 * 1024,
        gzipBytes: 180 * 1024,
        importMs: 100,
        importRunsMs: [100],
        firstLoadMs: 0,
        importRatio: 2,
      },
    ],
  },
  scale: [
    {
      secrets: 10,
      concurrency: 5,
      succeeded: 10,
      failed: 0,
      wallMs: 2_000,
      rotationsPerSecond: 5,
      rotationMs: summarize([900, 1000]),
      callsPerRotation: { secretsmanager: 12, elasticache: 9.5 },
      peakEndpointRssMiB: 120.5,
      peakFunctionRssMiB: 300,
      peakFunctionProcesses: 5,
      setupMs: 100,
    },
  ],
  reconnect: [
    {
      driver: 'node-redis',
      staticMs: summarize([1.2, 1.4]),
      rotorMs: summarize([2.5, 2.9]),
      gapMs: summarize([9.5, 12]),
      addedP50Ms: 1.3,
    },
  ],
  sweep: [
    {
      delayMs: 1000,
      strategy: 'dual-password',
      rotations: 1,
      failed: 0,
      elastiCacheCallsPerRotation: 4,
      elastiCacheCallsByOperation: { DescribeUsers: 3, ModifyUser: 1 },
      secretsManagerCallsPerRotation: 8,
      overheadMs: summarize([120]),
      overheadBoundMs: 500,
      aws: { callsPerRotation: 5, overheadMs: 9050 },
    },
  ],
  storm: [],
  clientCost: [],
  elapsedMs: 61_000,
};

describe('renderBenchReport', () => {
  const text = renderBenchReport(report);

  it('describes the machine and the known delay', () => {
    expect(text).toContain('Machine: 2 CPU (Test CPU), 8 GiB, Node v20.0.0');
    expect(text).toContain('ElastiCache modifying delay: 1000 ms');
  });

  it('shows p50/p95/max, retries, waiting overhead and calls per rotation', () => {
    expect(text).toMatch(
      /elasticache\s+dual-password\s+3\s+1.50 s\s+1.60 s\s+1.60 s\s+1\s+420 ms \/ 440 ms \(1.0 waits\)\s+12.0/,
    );
    expect(text).toContain(
      'elasticache:DescribeUsers 10, elasticache:ModifyUser 1, secretsmanager:PutSecretValue 1',
    );
    expect(text).toContain('4.0 per rotation, 1 cold (init 150 ms), steps 10 ms / 40 ms / 1.40 s / 5 ms');
  });

  it("compares the clients' failed logins", () => {
    expect(text).toMatch(
      /elasticache\s+dual-password\s+2\s+1000\s+0 \(0.0%\)\s+900\s+90 \(10.0%\)\s+WRONGPASS 90/,
    );
  });

  it('shows the scale runs: throughput, calls per rotation and peak memory', () => {
    expect(text).toMatch(/10\s+10\s+0\s+2.00 s\s+5.0\s+900 ms\s+1.00 s\s+21.5\s+120.5 MiB\s+300 MiB \(5\)/);
  });

  it('shows what @rotor/client adds to a reconnect, and a reconnect inside the single-user gap', () => {
    expect(text).toMatch(
      /node-redis\s+1.20 ms \/ 1.40 ms\s+2.50 ms \/ 2.90 ms\s+1.30 ms\s+9.50 ms \/ 12.00 ms/,
    );
  });

  it('shows bundle sizes and the import ratio', () => {
    expect(text).toMatch(/elasticache-rotation\s+600.0 KB\s+180.0 KB\s+100 ms\s+2.00x/);
    expect(text).toContain('Bench took 1m 01s.');
  });
});

describe('evaluateTargets (pnpm bench --check)', () => {
  it('gives one line per target with its bound, and FAIL for what was not measured', async () => {
    const { evaluateTargets, renderTargetLines } = await import('../../src/bench/targets.js');
    const lines = evaluateTargets(report);
    const byTarget = Object.fromEntries(lines.map((line) => [line.target, line]));
    expect(byTarget["1 ElastiCache calls/rotation, 1 s delay (AWS's schedule)"]).toMatchObject({
      measured: '4.0',
      bound: '<= 5',
      ok: true,
    });
    expect(byTarget['1 overhead after active, 1 s delay (max)']).toMatchObject({
      bound: '<= 500 ms',
      ok: true,
    });
    expect(byTarget['2 Secrets Manager calls/rotation, warm, elasticache/dual-password']).toMatchObject({
      measured: '1.0',
      ok: true,
    });
    const unmeasured = lines.filter((line) => line.target.startsWith('4 ') || line.target.startsWith('5 '));
    expect(unmeasured.map((line) => [line.target, line.ok])).toEqual([
      ['4 rotation storm', false],
      ['5 @rotor/client cost over a simulated hour', false],
    ]);
    expect(renderTargetLines(lines)).toMatch(/FAIL/);
  });

  it('fails a sweep point over AWS calls or over the overhead bound', async () => {
    const { evaluateTargets } = await import('../../src/bench/targets.js');
    const point = report.sweep[0]!;
    const worse = {
      ...report,
      sweep: [{ ...point, elastiCacheCallsPerRotation: 6, overheadMs: summarize([900]) }],
    };
    const lines = evaluateTargets(worse).filter((line) => line.target.startsWith('1 '));
    expect(lines.map((line) => line.ok)).toEqual([false, false]);
  });
});
