import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_CREDENTIALS, type LocalAws } from '@rotor/local-aws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, awsCliVersion } from '../support/aws-cli.ts';
import { redisLogin } from '../support/redis-login.ts';

/**
 * `pnpm local-aws` as a newcomer runs it: no flags, its own Redis and PostgreSQL, the banner's examples
 * working as printed, and SIGTERM to pnpm (which does not pass it on) still freeing the port.
 */
const repoDir = fileURLToPath(new URL('../../../..', import.meta.url));
const children = new Set<ChildProcess>();
let dir: string;

interface Started {
  child: ChildProcess;
  endpoint: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `pnpm --silent local-aws <args>` from the repository root; resolves once the banner is printed. */
function startPnpm(args: string[]): Promise<Started> {
  const child = spawn('pnpm', ['--silent', 'local-aws', ...args], {
    cwd: repoDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
      if (url && stdout.includes('Press Ctrl+C to stop.')) {
        resolve({ child, endpoint: url, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    exited.then((code) => reject(new Error(`pnpm local-aws exited with ${code}: ${stderr}`)));
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The endpoint as the aws CLI helper wants it (only endpoint, region and credentials are read). */
const asLocalAws = (endpoint: string) =>
  ({ endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } }) as unknown as LocalAws;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-embedded-'));
});
afterEach(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm local-aws with no flags', () => {
  it.skipIf(!awsCliVersion)(
    'serves all three services on its own Redis and PostgreSQL, and the banner examples work as printed',
    async () => {
      const started = await startPnpm(['--port', '0']);
      const banner = started.stdout();
      expect(banner).toContain(`export AWS_ENDPOINT_URL=${started.endpoint}`);
      expect(banner).toContain('started for this run (removed at stop): a TLS Redis and a PostgreSQL');
      const cli = awsCli(asLocalAws(started.endpoint), { withEndpoint: false });
      const env = { AWS_ENDPOINT_URL: started.endpoint };
      try {
        // Every `aws --endpoint-url ... <command>` line of the banner, run as printed.
        const examples = banner
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line.startsWith(`aws --endpoint-url ${started.endpoint} `))
          .map((line) => line.slice(`aws --endpoint-url ${started.endpoint} `.length));
        expect(examples.length).toBeGreaterThanOrEqual(5);
        for (const example of examples) {
          // Shell words: single-quoted arguments are one word.
          const words = [...example.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
          const result = await cli.run(words, env);
          expect({ example, code: result.code, stderr: result.stderr }).toEqual({
            example,
            code: 0,
            stderr: '',
          });
        }
        // The statement of the Redshift Data example ran as the role it names.
        const statements = await cli.run(['redshift-data', 'list-statements'], env);
        const [statement] = statements.json.Statements as Array<{ Id: string }>;
        await expect
          .poll(
            async () =>
              (await cli.run(['redshift-data', 'describe-statement', '--id', statement!.Id], env)).json
                .Status,
            {
              timeout: 20_000,
            },
          )
          .toBe('FINISHED');

        // The embedded Redis speaks TLS and enforces a password (negative control: no password, refused).
        const groups = await cli.run(['elasticache', 'describe-replication-groups'], env);
        const [group] = groups.json.ReplicationGroups as Array<{
          TransitEncryptionEnabled: boolean;
          NodeGroups: Array<{ PrimaryEndpoint: { Port: number } }>;
        }>;
        expect(group!.TransitEncryptionEnabled).toBe(true);
        const port = group!.NodeGroups[0]!.PrimaryEndpoint.Port;
        const caFile = /CA certificate (\S+)/.exec(banner)?.[1];
        expect(caFile).toBeDefined();
        const ca = readFileSync(caFile!, 'utf8');
        await expect(redisLogin({ port, ca }, 'default', 'not-the-password')).rejects.toThrow(/WRONGPASS/);
      } finally {
        cli.dispose();
      }
    },
    90_000,
  );

  it('stops and frees the port when pnpm (which does not pass SIGTERM on) gets SIGTERM', async () => {
    const started = await startPnpm(['--port', '0', '--no-embedded']);
    const port = Number(new URL(started.endpoint).port);
    expect(await portAccepts(port)).toBe(true);
    started.child.kill('SIGTERM');
    await started.exited;
    await expect.poll(() => portAccepts(port), { timeout: 20_000 }).toBe(false);
  }, 60_000);

  it('refuses a config file with an unknown key in one clear line, and writes nothing', async () => {
    const config = join(dir, 'typo.json');
    const stateFile = join(dir, 'never-written.json');
    writeFileSync(
      config,
      JSON.stringify({ functions: [{ functionName: 'f', bundlePath: 'f.mjs', timeout: 3 }] }),
    );
    const child = spawn(
      process.execPath,
      [
        '--conditions=@rotor/source',
        '--import',
        'tsx',
        'src/cli.ts',
        '--config',
        config,
        '--state-file',
        stateFile,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'local-aws: config.functions[0] has unknown key timeout (known: functionName, bundlePath, handler, timeoutSeconds, environment, memorySizeMb)',
    );
    expect(existsSync(stateFile)).toBe(false);
  });
});
