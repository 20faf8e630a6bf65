import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalAws } from '@rotor/local-aws';

const run = promisify(execFile);

/** `aws --version`, or undefined when the aws CLI is not on PATH (the CLI suites then skip, visibly named). */
export const awsCliVersion: string | undefined = (() => {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
})();

export interface CliResult {
  code: number;
  json: Record<string, unknown>;
  stderr: string;
}

export interface AwsCli {
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  dispose(): void;
}

/**
 * The aws CLI (botocore, another SDK than the JavaScript one) against the endpoint, with an empty HOME and
 * config so no profile or real credentials of the machine take part. `withEndpoint` prepends
 * `--endpoint-url`; without it the test passes it (or AWS_ENDPOINT_URL) itself.
 */
export function awsCli(aws: LocalAws, options: { withEndpoint: boolean }): AwsCli {
  const home = mkdtempSync(join(tmpdir(), 'local-aws-cli-'));
  writeFileSync(join(home, 'config'), '');
  return {
    async run(args, extraEnv = {}) {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'config'),
        AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: aws.region,
        AWS_PAGER: '',
        ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
        ...extraEnv,
      };
      const endpoint = options.withEndpoint ? ['--endpoint-url', aws.endpoint] : [];
      try {
        const { stdout } = await run('aws', ['--output', 'json', ...endpoint, ...args], {
          env,
          timeout: 30_000,
        });
        return {
          code: 0,
          json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {},
          stderr: '',
        };
      } catch (error) {
        const failure = error as { code?: number; stderr?: string };
        return { code: failure.code ?? -1, json: {}, stderr: failure.stderr ?? '' };
      }
    },
    dispose: () => rmSync(home, { recursive: true, force: true }),
  };
}
