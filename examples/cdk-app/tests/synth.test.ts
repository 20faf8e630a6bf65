import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const outdir = mkdtempSync(join(tmpdir(), 'rotor-cdk-example-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the example CDK app', () => {
  it('synthesizes one stack with the three rotations, their bundles staged as assets', () => {
    // As a user runs it: the built @rotor/cdk, not its sources.
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, CDK_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(output).toContain('synthesized RotorRotations');
    const template = JSON.parse(readFileSync(join(outdir, 'RotorRotations.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const count = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type).length;
    expect(count('AWS::Lambda::Function')).toBe(3);
    expect(count('AWS::SecretsManager::RotationSchedule')).toBe(3);
    expect(count('AWS::CloudWatch::Alarm')).toBe(3);
    expect(count('AWS::Events::Rule')).toBe(3);
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const bundles = assets.filter((name) => existsSync(join(outdir, name, 'index.mjs')));
    expect(bundles).toHaveLength(3);
  });
});
