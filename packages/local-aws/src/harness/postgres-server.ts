import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinDir } from './binaries.js';
import { freePort, stopProcess, track, unprivilegedAccount, waitFor } from './processes.js';
import { newTestCertificate, testCertificate } from './redis-server.js';

const execFileAsync = promisify(execFile);

export interface PostgresServerOptions {
  /**
   * How TCP and socket logins are checked. `md5` (default) accepts both md5 and SCRAM stored passwords,
   * as Redshift does with md5 hashes; `scram-sha-256` accepts only SCRAM verifiers.
   */
  authMethod?: 'md5' | 'scram-sha-256';
  /** Superuser password; random when omitted. */
  password?: string;
  /** Log every statement the server receives (log_statement=all) into `output()`. */
  logStatements?: boolean;
  /**
   * `true`: also accept TLS (`ssl=on`), with the harness's shared test certificate (CN localhost, SAN
   * 127.0.0.1), so clients can verify it with `tls.caFile`; plain-text connections are still accepted.
   * `'required'`: TCP logins only over TLS (`hostssl` in pg_hba.conf), so a login proves TLS was used.
   */
  tls?: boolean | 'required';
  /**
   * With `tls`: present a self-signed certificate of this server's own instead of the shared one, so a
   * client that trusts only the shared certificate refuses it (a server the code under test must not trust).
   */
  ownCertificate?: boolean;
}

export interface ConnectionStringOptions {
  user?: string;
  password?: string;
  database?: string;
}

export interface PostgresServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'postgres';
  readonly password: string;
  readonly database: 'postgres';
  /** `postgres://user:password@127.0.0.1:port/database`, the superuser's by default. */
  connectionString(options?: ConnectionStringOptions): string;
  /** With `tls: true`: the certificate that verifies the server (PEM), and a file holding it. */
  readonly tls?: { ca: string; caFile: string };
  /** Everything the server logged (statements too with `logStatements`). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL cluster (initdb in a temp dir) on a free loopback port with password
 * authentication enforced for every connection, socket included. Durability is off: it is for tests.
 * Throws MissingBinaryError when PostgreSQL is not installed.
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServerHandle> {
  const binDir = findPostgresBinDir();
  const authMethod = options.authMethod ?? 'md5';
  const password = options.password ?? randomBytes(18).toString('base64url');
  const account = unprivilegedAccount();
  const root = await mkdtemp(join(tmpdir(), 'rotor-pg-'));
  const dataDir = join(root, 'data');
  const passwordFile = join(root, 'pwfile');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account) {
    await chown(root, account.uid, account.gid);
    await chown(passwordFile, account.uid, account.gid);
  }
  const asAccount = account ? { uid: account.uid, gid: account.gid } : {};
  const cleanup = () => rm(root, { recursive: true, force: true });

  try {
    await execFileAsync(
      join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${passwordFile}`,
        `--auth-host=${authMethod}`,
        `--auth-local=${authMethod}`,
        '-E',
        'UTF8',
        '--no-sync',
        '--no-instructions',
      ],
      { ...asAccount, cwd: root, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    await cleanup();
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  await rm(passwordFile, { force: true });
  if (options.tls === 'required') {
    // Replaces initdb's pg_hba.conf: TCP only with TLS, the socket as before.
    const rules = [
      `local all all ${authMethod}`,
      `hostssl all all 127.0.0.1/32 ${authMethod}`,
      `hostssl all all ::1/128 ${authMethod}`,
    ];
    await writeFile(join(dataDir, 'pg_hba.conf'), `${rules.join('\n')}\n`);
    if (account) await chown(join(dataDir, 'pg_hba.conf'), account.uid, account.gid);
  }

  let tls: { ca: string; caFile: string } | undefined;
  const tlsSettings: Record<string, string> = {};
  if (options.tls) {
    const certificate = options.ownCertificate
      ? await newTestCertificate(await mkdtemp(join(root, 'own-certificate-')))
      : await testCertificate();
    // The server reads its key as its own account and refuses a key others can read.
    const certFile = join(root, 'server.crt');
    const keyFile = join(root, 'server.key');
    await copyFile(certificate.certFile, certFile);
    await copyFile(certificate.keyFile, keyFile);
    await chmod(keyFile, 0o600);
    if (account) {
      await chown(certFile, account.uid, account.gid);
      await chown(keyFile, account.uid, account.gid);
    }
    Object.assign(tlsSettings, { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile });
    tls = { ca: certificate.ca, caFile: certificate.certFile };
  }

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: root,
    password_encryption: authMethod === 'md5' ? 'md5' : 'scram-sha-256',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
    max_connections: '200',
    logging_collector: 'off',
    log_min_messages: 'warning',
    ...(options.logStatements ? { log_statement: 'all' } : {}),
    ...tlsSettings,
  };
  const args = [
    '-D',
    dataDir,
    ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
  ];
  let log = '';
  const child = spawn(join(binDir, 'postgres'), args, {
    ...asAccount,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  child.on('error', (error) => {
    log += `\n${error.message}\n`;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const stop = async () => {
    // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, stop cleanly.
    await stopProcess(child, 'SIGINT');
    await cleanup();
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}:\n${log}`);
        try {
          await execFileAsync(join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
          return true;
        } catch {
          return false;
        }
      },
      'postgres',
      30_000,
      () => log,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    ...(tls ? { tls } : {}),
    connectionString: ({ user = 'postgres', password: pw = password, database = 'postgres' } = {}) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    output: () => log,
    stop,
  };
}
