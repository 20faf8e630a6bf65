import { describe, expect, it } from 'vitest';
import { exploreHints } from '../../src/explore-hints.js';
import type { RotationLoopResult } from '../../src/scenarios/rotation-loop.js';
import type { ScenarioEnvironment } from '../../src/scenarios/scenario.js';

const env = {
  aws: {
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
  },
  servers: { redis: { host: '127.0.0.1', port: 6390, caFile: '/tmp/rotor-redis-tls/cert.pem' } },
} as unknown as ScenarioEnvironment;

const result = (engine: string, secretId: string) => ({ engine, secretId }) as RotationLoopResult;

describe('exploreHints', () => {
  it('points pnpm rotor and the aws CLI at the kept endpoint, for the secrets the demo made', () => {
    const lines = exploreHints(env, [
      result('elasticache', 'demo/elasticache/demo-dual'),
      result('redshift', 'demo/redshift/demo_single'),
    ]);
    expect(lines).toContain(
      '  pnpm rotor status demo/elasticache/demo-dual --endpoint http://127.0.0.1:4566',
    );
    expect(lines.join('\n')).toContain(
      `--engine-options '{"dataPlane":{"caFile":"/tmp/rotor-redis-tls/cert.pem"}}'`,
    );
    expect(lines.join('\n')).toContain(
      'pnpm rotor rotate demo/redshift/demo_single --engine redshift --start',
    );
    expect(lines.at(-1)).toContain(
      'aws --endpoint-url http://127.0.0.1:4566 --region us-east-1 secretsmanager list-secrets',
    );
  });

  it('leaves out engines that did not run', () => {
    const lines = exploreHints(env, [result('redshift', 'demo/redshift/demo_alt')]);
    expect(lines.join('\n')).not.toContain('elasticache');
  });
});
