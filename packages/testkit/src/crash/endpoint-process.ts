/**
 * `local-aws` as a separate process with a state file, for the endpoint-kill cases: started, killed with
 * SIGKILL mid-rotation, and started again on the same port and state file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { CrashEndpointServices, CrashFunction } from './scenario.js';

export interface EndpointProcessConfig {
  port: number;
  stateFile: string;
  configFile: string;
  interceptor: string;
  services: CrashEndpointServices;
  functionName: string;
  /** The rotation function, once the target exists (its environment names the secret). */
  fn: CrashFunction | undefined;
  rotation: { maxAttempts: number; retryDelayMs: number; scheduleCheckMs: number; redriveAfterMs: number };
}

export interface EndpointProcess {
  readonly endpoint: string;
  /** SIGKILL: nothing is saved on the way out. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
}

/** A free port on 127.0.0.1 (the restarted endpoint must come back where the function and clients look). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** From source (this module is TypeScript) the CLI runs under tsx; otherwise its built bin. */
function cliCommand(): { args: string[]; cwd: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@rotor/local-aws/package.json'));
  if (import.meta.url.endsWith('.ts')) {
    return { args: ['--conditions=@rotor/source', '--import', 'tsx', 'src/cli.ts'], cwd: packageDir };
  }
  return { args: [join(packageDir, 'bin', 'local-aws.mjs')], cwd: packageDir };
}

export function writeEndpointConfig(config: EndpointProcessConfig): void {
  writeFileSync(
    config.configFile,
    JSON.stringify({
      functions: config.fn
        ? [
            {
              functionName: config.functionName,
              bundlePath: config.fn.bundlePath,
              handler: config.fn.handler ?? 'handler',
              timeoutSeconds: config.fn.timeoutSeconds ?? 30,
              environment: config.fn.environment,
            },
          ]
        : [],
      rotation: config.rotation,
      ...(config.services.elasticache
        ? {
            caches: config.services.elasticache.caches.map((cache) => ({
              replicationGroupId: cache.replicationGroupId,
              redisUrl: cache.redisUrl,
              caFile: cache.caFile,
            })),
          }
        : {}),
      ...(config.services.redshiftData?.clusters ? { clusters: config.services.redshiftData.clusters } : {}),
      ...(config.services.redshiftData?.workgroups
        ? { workgroups: config.services.redshiftData.workgroups }
        : {}),
    }),
  );
}

export async function startEndpointProcess(config: EndpointProcessConfig): Promise<EndpointProcess> {
  const { args, cwd } = cliCommand();
  const flags = [
    '--port',
    String(config.port),
    '--state-file',
    config.stateFile,
    '--config',
    config.configFile,
    '--test-function-preload',
    config.interceptor,
    '--schedule-check-ms',
    String(config.rotation.scheduleCheckMs),
    // The matrix SIGKILLs the endpoint: servers it started for itself would outlive it. It gets its own.
    '--no-embedded',
  ];
  const elasticache = config.services.elasticache;
  if (elasticache) {
    if (elasticache.modifyingDelayMs)
      flags.push('--modifying-delay-ms', String(elasticache.modifyingDelayMs));
  }
  const child = spawn(process.execPath, [...args, ...flags], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await waitForUrl(child, exited);
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { endpoint, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

function waitForUrl(child: ChildProcess, exited: Promise<void>): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const first = stdout.split('\n')[0] ?? '';
      if (stdout.includes('Press Ctrl+C to stop.') && /^http:\/\/127\.0\.0\.1:\d+$/.test(first))
        resolve(first);
    });
    void exited.then(() => reject(new Error(`local-aws exited before it was ready: ${stderr.trim()}`)));
  });
}
