import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src/demo-options.js';
import { type DemoOutcome, runDemo } from '../../src/run-demo.js';
import type { RotationLoopResult } from '../../src/scenarios/rotation-loop.js';

/**
 * `pnpm demo` end to end, small: both engines, the single-user and alternating-users strategies, one rotation
 * each after the first, plain output (not a TTY). Real redis-server and PostgreSQL, the real bundles.
 */
let dir: string;
let output = '';
let errors = '';
let outcome: DemoOutcome;
let report: { results: RotationLoopResult[] };
const passwords: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-demo-'));
  const reportPath = join(dir, 'report.json');
  const parsed = parseDemoArgs(
    [
      '--rotations',
      '1',
      '--pause-ms',
      '0',
      '--strategies',
      'single-user,alternating-users',
      '--compare-naive',
      '--report-json',
      reportPath,
    ],
    { out: () => {}, err: () => {} },
  );
  if (parsed.kind !== 'run') throw new Error('flags rejected');
  outcome = await runDemo(
    parsed.options,
    {
      stdout: { isTTY: false, write: (text: string) => (output += text) },
      stderr: { write: (text: string) => (errors += text) },
    },
    {
      async beforeClose(env) {
        // Every password any demo secret ever held (AWSCURRENT and AWSPREVIOUS of each), for the leak check.
        const listed = await env.secretsManager.send(new ListSecretsCommand({}));
        for (const secret of listed.SecretList ?? []) {
          for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
            const value = await env.secretsManager
              .send(new GetSecretValueCommand({ SecretId: secret.ARN, VersionStage: stage }))
              .catch(() => undefined);
            const password = value?.SecretString
              ? (JSON.parse(value.SecretString) as { password?: string }).password
              : undefined;
            if (password) passwords.push(password);
          }
        }
      },
    },
  );
  report = JSON.parse(await readFile(reportPath, 'utf8')) as { results: RotationLoopResult[] };
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm demo (smoke)', () => {
  it('finishes every rotation of every scenario and exits 0', () => {
    expect(errors).toBe('');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.results.map((r) => `${r.engine}/${r.strategy}`)).toEqual([
      'elasticache/single-user',
      'elasticache/alternating-users',
      'redshift/single-user',
      'redshift/alternating-users',
    ]);
    for (const result of outcome.results) {
      expect(result.rotationMs).toHaveLength(1);
      expect(result.rotationsFailed).toBe(0);
    }
  });

  it("walks the seed pages' operator steps through the SDK", () => {
    expect(output).toContain('CreateUser demo-single --no-password --access-string "off +get ~keys*"');
    expect(output).toContain('CreateSecret demo/elasticache/demo-single {"user_arn", "username"}');
    expect(output).toContain('CreateUser demo-alt --no-password --access-string "off +get ~keys*"');
    expect(output).toContain('ModifyUser demo-alt-clone --access-string "on +get ~keys*"');
    expect(output).toContain('CreateSecret demo/redshift/admin');
    expect(output).toContain('"masterarn"');
  });

  it("keeps Rotor's clients logging in throughout, and shows the naive client for contrast", () => {
    for (const result of outcome.results) {
      expect(result.clients?.rotor?.attempted).toBeGreaterThan(0);
      // No refused login (WRONGPASS, 28P01, ...); a connect timeout on an overloaded CI machine is not the rotation's doing.
      const refused = Object.keys(result.clients?.rotor?.failuresByReason ?? {}).filter((reason) =>
        /WRONGPASS|NOAUTH|28P01|28000/.test(reason),
      );
      expect(refused).toEqual([]);
      expect(result.clients?.naive?.attempted).toBeGreaterThan(0);
    }
  });

  it("counts the rotation functions' own API calls: the engine service for ElastiCache, Secrets Manager for all", () => {
    for (const result of outcome.results) {
      expect(result.functionCalls.secretsmanager?.PutSecretValue).toBe(1);
      expect(result.functionCalls.secretsmanager?.UpdateSecretVersionStage).toBe(1);
      // The demo's own calls are not the functions': RotateSecret is the operator's.
      expect(result.functionCalls.secretsmanager?.RotateSecret).toBeUndefined();
    }
    const ec = outcome.results.filter((r) => r.engine === 'elasticache');
    for (const result of ec)
      expect(result.functionCalls.elasticache?.ModifyUser ?? 0).toBeGreaterThanOrEqual(1);
  });

  it("never prints a password (the admin's, the users' current or previous ones)", () => {
    // 4 user secrets with two versions each, and the admin secret
    expect(passwords.length).toBeGreaterThanOrEqual(9);
    for (const password of passwords) {
      expect(output).not.toContain(password);
      expect(JSON.stringify(report)).not.toContain(password);
    }
  });

  it('prints the report table without ANSI escapes, and writes the same results as JSON', () => {
    expect(output).toMatch(
      /ENGINE\s+STRATEGY\s+ROTATIONS\s+P50\s+P95\s+LOGINS\s+FAILED LOGINS\s+API CALLS \/ ROTATION/,
    );
    expect(output).toMatch(/redshift\s+alternating-users\s+1\/1/);
    expect(output).not.toContain('\u001b[');
    expect(report.results.map((r) => r.rotationMs.length)).toEqual([1, 1, 1, 1]);
  });
});
