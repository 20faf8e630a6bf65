/**
 * What `pnpm demo --keep` prints while it keeps the endpoint and servers up: commands to explore the secrets
 * it created with `pnpm rotor` and the aws CLI.
 */
import { DEMO_CLUSTER } from './scenarios/redshift.js';
import type { RotationLoopResult } from './scenarios/rotation-loop.js';
import type { ScenarioEnvironment } from './scenarios/scenario.js';

export function exploreHints(env: ScenarioEnvironment, results: readonly RotationLoopResult[]): string[] {
  const url = env.aws.endpoint;
  const lines = ['The endpoint and servers stay up until Ctrl+C. Try:'];
  const ec = results.find((r) => r.engine === 'elasticache');
  const rs = results.find((r) => r.engine === 'redshift');
  const secretOf = (r: RotationLoopResult) => r.secretId;
  if (ec && env.servers.redis) {
    // The engine finds the cache through the control plane; the certificate file verifies it.
    const options = JSON.stringify(
      env.servers.redis.caFile ? { dataPlane: { caFile: env.servers.redis.caFile } } : {},
    );
    lines.push(`  pnpm rotor status ${secretOf(ec)} --endpoint ${url}`);
    lines.push(
      `  pnpm rotor doctor ${secretOf(ec)} --engine elasticache --endpoint ${url} --engine-options '${options}'`,
    );
  }
  if (rs) {
    // The endpoint comes from the local DescribeClusters for the demo's cluster.
    const options = JSON.stringify({
      clusterIdentifier: DEMO_CLUSTER,
      pg: { tls: 'disable' },
      dialect: 'postgresql',
    });
    lines.push(
      `  pnpm rotor rotate ${secretOf(rs)} --engine redshift --start --endpoint ${url} --engine-options '${options}'`,
    );
  }
  lines.push(
    `  AWS_ACCESS_KEY_ID=${env.aws.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${env.aws.credentials.secretAccessKey} ` +
      `aws --endpoint-url ${url} --region ${env.aws.region} secretsmanager list-secrets`,
  );
  return lines;
}
