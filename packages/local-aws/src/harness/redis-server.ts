import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { findRedisServer } from './binaries.js';
import { freePort, stopProcess, track, waitFor } from './processes.js';

export interface RedisServerOptions {
  /** Password of the `default` user; random when omitted. Always enforced (requirepass). */
  password?: string;
  /**
   * Serve TLS only (no plain-text port), with a throwaway self-signed certificate for `127.0.0.1` and
   * `localhost` made by openssl. Every TLS server of one process shares that certificate, so one CA file
   * (`tls.caFile`) lets a client verify all of them. The handle's `tls.ca` is the certificate itself.
   */
  tls?: boolean;
  /**
   * With `tls`: present a self-signed certificate of this server's own instead of the shared one, so a
   * client that trusts only the shared CA refuses it (a server the code under test must not trust).
   */
  ownCertificate?: boolean;
}

export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Password of the `default` user, which holds every permission. */
  readonly password: string;
  /** `redis://default:<password>@127.0.0.1:<port>` */
  readonly url: string;
  /**
   * Present when started with `tls: true`: the PEM certificate clients must trust to verify the server,
   * and a file holding it (for `NODE_EXTRA_CA_CERTS`-style settings); the file lives until the process exits.
   */
  readonly tls?: { ca: string; caFile: string };
  /** What the server printed (its log), for diagnosing failures. */
  output(): string;
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

let sharedCertificate: Promise<ServerCertificate> | undefined;

/**
 * The process's one test certificate, made on first use and removed when the process exits: every TLS
 * server of the harness (single servers and cluster nodes) shares it, so one CA verifies them all.
 */
export function testCertificate(): Promise<ServerCertificate> {
  sharedCertificate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-redis-tls-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const files = await makeSelfSignedCertificate(dir);
    return { ...files, ca: await readFile(files.certFile, 'utf8') };
  })();
  // A failure (openssl missing) is reported to every caller, and the next call tries again.
  sharedCertificate.catch(() => {
    sharedCertificate = undefined;
  });
  return sharedCertificate;
}

/**
 * A new self-signed certificate in `dir` (gone with it), for a server that must not share the harness's
 * certificate: one a client trusting only `testCertificate()` refuses.
 */
export async function newTestCertificate(dir: string): Promise<ServerCertificate> {
  const files = await makeSelfSignedCertificate(dir);
  return { ...files, ca: await readFile(files.certFile, 'utf8') };
}

export async function makeSelfSignedCertificate(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  } catch (error) {
    throw new Error(
      `openssl could not make a test certificate (install the Debian package openssl): ${(error as Error).message}`,
    );
  }
  return { certFile, keyFile };
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** One AUTH + PING round trip over raw RESP: true once the server answers and accepts the password. */
function authenticatedPing(port: number, password: string, ca: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket =
      ca === undefined
        ? connect({ host: '127.0.0.1', port })
        : connectTls({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on(ca === undefined ? 'connect' : 'secureConnect', () =>
      socket.write(encodeCommand(['AUTH', password]) + encodeCommand(['PING'])),
    );
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('+PONG')) done(reply.startsWith('+OK'));
      else if (reply.startsWith('-')) done(false);
    });
  });
}

export interface ServerCertificate {
  certFile: string;
  keyFile: string;
  /** The certificate's PEM text, for clients that verify. */
  ca: string;
}

/** The listening part of a redis-server config: plain TCP, or TLS only with the throwaway certificate. */
export function listenConfig(port: number, certificate: ServerCertificate | undefined): string[] {
  if (!certificate) return [`port ${port}`];
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${certificate.certFile}`,
    `tls-key-file ${certificate.keyFile}`,
    `tls-ca-cert-file ${certificate.certFile}`,
    // Clients prove who they are with AUTH, as with ElastiCache, not with certificates.
    'tls-auth-clients no',
  ];
}

/** A value for redis-server's config file, quoted (passwords may hold spaces, quotes, backslashes). */
export function quoteConfigValue(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Starts redis-server with `config` on stdin, so a password in it never shows in `ps`; everything the
 * process prints (and a spawn error) goes to `onOutput`. The process dies with the test process.
 */
export function spawnRedisServer(
  binary: string,
  config: readonly string[],
  onOutput: (text: string) => void,
): ChildProcess {
  const child = spawn(binary, ['-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  child.on('error', (error) => onOutput(`\n${error.message}\n`));
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stdin?.end(`${config.join('\n')}\n`);
  return child;
}

/**
 * Starts a throwaway redis-server on a free loopback port with a password enforced, persisting nothing.
 * Throws MissingBinaryError when redis-server is not installed.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServer();
  const password = options.password ?? randomBytes(18).toString('base64url');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'rotor-redis-'));
  let certificate: ServerCertificate | undefined;
  if (options.tls) {
    try {
      certificate = options.ownCertificate ? await newTestCertificate(dir) : await testCertificate();
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
  let log = '';
  const config = [
    ...listenConfig(port, certificate),
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    `requirepass ${quoteConfigValue(password)}`,
  ];
  const child = spawnRedisServer(binary, config, (text) => {
    log += text;
  });

  const stop = async () => {
    await stopProcess(child, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`redis-server exited with code ${child.exitCode}:\n${log}`);
        return authenticatedPing(port, password, certificate?.ca);
      },
      'redis-server',
      15_000,
      () => log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    password,
    url: `${certificate ? 'rediss' : 'redis'}://default:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    ...(certificate ? { tls: { ca: certificate.ca, caFile: certificate.certFile } } : {}),
    output: () => log,
    stop,
  };
}
