import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_COST_OPTIONS, measureClientCost } from '../../src/bench/client-cost.js';
import { evaluateTargets } from '../../src/bench/targets.js';

describe('client cost simulation (simulated time, no waiting)', () => {
  it('counts each client over the hour: @rotor/client recovers from the single-user gap, the TTL caches do not', async () => {
    const [rotor, fiveSeconds, oneHour] = await measureClientCost({
      ...DEFAULT_CLIENT_COST_OPTIONS,
      hourMs: 600_000,
      rotationAtMs: 300_000,
    });
    expect(rotor).toMatchObject({ connections: 600, failedConnections: 0 });
    // 5 s TTL, stamped when the answer arrives: with a connection a second, a GetSecretValue every 6th one; it
    // logs in with the old password until its cache expires.
    expect(fiveSeconds).toMatchObject({ secretsManagerCalls: 100 });
    expect(fiveSeconds!.failedConnections).toBeGreaterThan(0);
    // 1 h TTL: one read, then every connection after the rotation fails.
    expect(oneHour).toMatchObject({ secretsManagerCalls: 1, failedConnections: 300 });
    expect(rotor!.secretsManagerCalls).toBeLessThan(fiveSeconds!.secretsManagerCalls);
  });

  it('turns into target lines: FAIL when @rotor/client fails a connection, and storms that fail or grow', async () => {
    const rows = await measureClientCost({
      ...DEFAULT_CLIENT_COST_OPTIONS,
      hourMs: 60_000,
      rotationAtMs: 30_000,
    });
    const storm = {
      rotations: 10,
      succeeded: 10,
      failed: 0,
      failedInvocations: 0,
      wallMs: 1,
      p50Ms: 1,
      p95Ms: 1,
      totalCalls: 150,
      callsPerRotation: 15,
      answeredCalls: 120,
      answeredCallsPerRotation: 12,
      throttledPerRotation: 3,
      callsByOperation: {},
      throttled: 0,
      throttledByOperation: {},
      containers: 10,
      modifyingDelayMs: 1000,
    };
    const base = {
      timing: [],
      sweep: [],
      bundles: { bundles: [] },
      storm: [storm, { ...storm, rotations: 100, failed: 1, succeeded: 99, answeredCallsPerRotation: 20 }],
    };
    const lines = evaluateTargets({ ...base, clientCost: rows } as never);
    const find = (prefix: string) => lines.filter((line) => line.target.startsWith(prefix));
    expect(find('5 @rotor/client failed').map((line) => line.ok)).toEqual([true]);
    expect(find('4 storm of').map((line) => line.ok)).toEqual([true, false]);
    expect(find('4 storm cost growth').map((line) => line.ok)).toEqual([false]);
    // Throttled retries grow with the storm (its rotations queue for the same rates); answered calls are bounded.
    const queued = {
      ...storm,
      rotations: 1000,
      succeeded: 1000,
      callsPerRotation: 40,
      answeredCallsPerRotation: 13,
      throttledPerRotation: 28,
    };
    const growth = evaluateTargets({ ...base, storm: [storm, queued], clientCost: rows } as never);
    expect(growth.filter((line) => line.target.startsWith('4 storm')).map((line) => line.ok)).toEqual([
      true,
      true,
      true,
    ]);
    const broken = evaluateTargets({
      ...base,
      clientCost: [{ ...rows[0]!, failedConnections: 2 }],
    } as never);
    expect(broken.find((line) => line.target.startsWith('5 @rotor/client failed'))?.ok).toBe(false);
  });
});
