import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** The embedded-metric-format lines Powertools prints on stdout. */
function captureEmf() {
  const lines: Array<Record<string, unknown>> = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.includes('"_aws"')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  });
  return lines;
}

describe('metrics', () => {
  it('a failed invocation prints one EMF record in namespace Rotor, by engine/strategy/step and by function', async () => {
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('SECRETS_MANAGER_ENDPOINT', 'http://127.0.0.1:9');
    vi.stubEnv('ROTOR_STRATEGY', 'dual-password');
    const { handler } = await import('../../src/handler.ts');
    const emf = captureEmf();
    const context = { awsRequestId: 'r-1', functionName: 'rotor-ec', getRemainingTimeInMillis: () => 60_000 };
    await expect(handler({ Step: 'dropTables' }, context)).rejects.toMatchObject({ code: 'INVALID_EVENT' });

    expect(emf).toHaveLength(1);
    const [record] = emf as [Record<string, unknown>];
    expect(record._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'Rotor',
          Dimensions: [
            ['service', 'Engine', 'Strategy', 'Step'],
            ['service', 'FunctionName'],
          ],
          Metrics: expect.arrayContaining([
            { Name: 'RotationStepFailed', Unit: 'Count' },
            { Name: 'RotationStepSucceeded', Unit: 'Count' },
            { Name: 'RotationStepDuration', Unit: 'Milliseconds' },
          ]),
        },
      ],
    });
    expect(record).toMatchObject({
      service: 'rotor-elasticache-rotation',
      Engine: 'elasticache',
      Strategy: 'dual-password',
      Step: 'InvalidEvent',
      FunctionName: 'rotor-ec',
      RotationStepFailed: 1,
      RotationStepSucceeded: 0,
    });
  });
});
