/**
 * `local-aws` / `pnpm local-aws`: the endpoint as a standalone process. Prints the endpoint URL on a line
 * of its own once it accepts requests, then how to point the aws CLI and the SDKs at it; stops cleanly on
 * SIGINT/SIGTERM (saving the state file).
 */
import { readFileSync } from 'node:fs';
import { type EmbeddedServers, startEmbeddedServers } from './cli/embedded-servers.js';
import { type CliSettings, CliUsageError, parseCliSettings, redactUrl, USAGE } from './cli/options.js';
import { type LocalAws, type LocalAwsLogger, type LocalAwsOptions, startLocalAws } from './index.js';

function stderrLogger(verbose: boolean): LocalAwsLogger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${suffix}\n`);
  };
  return {
    debug: verbose ? write('DEBUG') : () => {},
    info: verbose ? write('INFO') : () => {},
    warn: write('WARN'),
    error: write('ERROR'),
  };
}

function toOptions(settings: CliSettings, logger: LocalAwsLogger): LocalAwsOptions {
  const options: LocalAwsOptions = {
    port: settings.port,
    region: settings.region,
    accountId: settings.accountId,
    rotation: settings.rotation,
    functions: settings.functions,
    auth: settings.auth,
    logger,
  };
  if (settings.stateFile) options.stateFile = settings.stateFile;
  if (settings.testFunctionPreload) options.testMode = { functionPreload: settings.testFunctionPreload };
  if (settings.redisUrl || settings.caches) {
    options.elasticache = {
      ...(settings.caches ? { caches: settings.caches } : {}),
      ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}),
      ...(settings.redisCa ? { redisCa: settings.redisCa } : {}),
      ...(settings.modifyingDelayMs !== undefined ? { modifyingDelayMs: settings.modifyingDelayMs } : {}),
    };
  }
  if (settings.postgresUrl || settings.clusters || settings.workgroups) {
    options.redshiftData = {
      ...(settings.postgresUrl ? { defaultTarget: settings.postgresUrl } : {}),
      ...(settings.clusters ? { clusters: settings.clusters } : {}),
      ...(settings.workgroups ? { workgroups: settings.workgroups } : {}),
    };
  }
  if (settings.dbInstances || settings.dbClusters) {
    options.rds = {
      ...(settings.dbInstances ? { instances: settings.dbInstances } : {}),
      ...(settings.dbClusters ? { clusters: settings.dbClusters } : {}),
    };
  }
  return options;
}

function banner(aws: LocalAws, settings: CliSettings, embedded: EmbeddedServers | undefined): string {
  const served = ['Secrets Manager'];
  if (settings.redisUrl)
    served.push(`ElastiCache replication group rotor-local on ${redactUrl(settings.redisUrl)}`);
  for (const cache of settings.caches ?? []) {
    const name = cache.replicationGroupId ?? `serverless ${cache.serverlessCacheName}`;
    served.push(`ElastiCache cache ${name} on ${redactUrl(cache.redisUrl ?? '')}`);
  }
  if (settings.postgresUrl || settings.clusters || settings.workgroups) {
    served.push(
      `Redshift Data and the Redshift / Redshift Serverless control planes on ${settings.postgresUrl ? redactUrl(settings.postgresUrl) : 'configured clusters'}`,
    );
  }
  if (settings.dbInstances || settings.dbClusters) {
    served.push(
      `RDS DB instances and clusters ${[...Object.keys(settings.dbInstances ?? {}), ...Object.keys(settings.dbClusters ?? {})].join(', ')}`,
    );
  }
  const lines = [
    `local-aws: ${served.join(', ')}; region ${aws.region}, account ${aws.accountId}`,
    settings.stateFile
      ? `  state file: ${settings.stateFile}`
      : '  state: in memory (use --state-file to keep it)',
    ...(embedded?.caches || embedded?.postgresUrl
      ? [
          `  started for this run (removed at stop): ${[
            ...(embedded.caches ? ['a TLS Redis'] : []),
            ...(embedded.postgresUrl ? ['a PostgreSQL'] : []),
          ].join(
            ' and ',
          )}, passwords enforced${embedded.caFile ? `; CA certificate ${embedded.caFile}` : ''}`,
        ]
      : []),
    ...aws.functions().map((fn) => `  rotation function ${fn.functionArn} -> ${fn.config.bundlePath}`),
    '',
    ...(settings.auth.mode === 'sigv4'
      ? [
          'Point the aws CLI or any SDK at it, signing with a configured key (signatures are verified):',
          `  export AWS_ENDPOINT_URL=${aws.endpoint} AWS_REGION=${aws.region} AWS_DEFAULT_REGION=${aws.region}`,
          `  export AWS_ACCESS_KEY_ID=${aws.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=<its secret access key>`,
        ]
      : [
          'Point the aws CLI or any SDK at it (any credentials work; signatures are not checked):',
          `  export AWS_ENDPOINT_URL=${aws.endpoint} AWS_REGION=${aws.region} AWS_DEFAULT_REGION=${aws.region}`,
          `  export AWS_ACCESS_KEY_ID=${aws.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${aws.credentials.secretAccessKey}`,
        ]),
    `  aws --endpoint-url ${aws.endpoint} secretsmanager create-secret --name demo --secret-string '{"password":"x"}'`,
    `  aws --endpoint-url ${aws.endpoint} secretsmanager get-secret-value --secret-id demo`,
  ];
  if (settings.redisUrl || settings.caches) {
    lines.push(`  aws --endpoint-url ${aws.endpoint} elasticache describe-users`);
    lines.push(`  aws --endpoint-url ${aws.endpoint} elasticache describe-replication-groups`);
  }
  if (settings.postgresUrl) {
    // DbUser must be a role of that server: the admin of the URL is one for sure.
    const adminUser = decodeURIComponent(new URL(settings.postgresUrl).username) || 'postgres';
    lines.push(
      `  aws --endpoint-url ${aws.endpoint} redshift-data execute-statement --cluster-identifier any --database postgres --db-user ${adminUser} --sql 'select 1'`,
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return `${lines.join('\n')}\n`;
}

/**
 * Starts a throwaway Redis and PostgreSQL for the services nothing configured, and points the settings at
 * them (so the rest of the CLI cannot tell them from given servers).
 */
async function startEmbedded(settings: CliSettings): Promise<EmbeddedServers | undefined> {
  if (!settings.embedded) return undefined;
  const redis = !settings.redisUrl && !settings.caches;
  const postgres = !settings.postgresUrl && !settings.clusters && !settings.workgroups;
  if (!redis && !postgres) return undefined;
  const embedded = await startEmbeddedServers({ redis, postgres });
  if (embedded.caches) settings.caches = embedded.caches;
  if (embedded.postgresUrl) settings.postgresUrl = embedded.postgresUrl;
  return embedded;
}

async function main(argv: string[]): Promise<number> {
  let settings: CliSettings | 'help';
  try {
    settings = parseCliSettings(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`local-aws: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (settings === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = stderrLogger(settings.verbose);
  const embedded = await startEmbedded(settings);
  let aws: LocalAws;
  try {
    aws = await startLocalAws(toOptions(settings, logger));
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  // The URL alone on the first line, so scripts can read it.
  process.stdout.write(`${aws.endpoint}\n`);
  process.stdout.write(banner(aws, settings, embedded));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`local-aws: ${signal} again, exiting without waiting\n`);
        resolve(1);
        return;
      }
      stopping = true;
      process.stderr.write(`local-aws: ${signal}, stopping\n`);
      aws
        .stop()
        .then(() => embedded?.stop())
        .then(
          () => resolve(0),
          (error: unknown) => {
            process.stderr.write(`local-aws: stop failed: ${String(error)}\n`);
            resolve(1);
          },
        );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    if (process.env.npm_lifecycle_event) watchParent(() => stop('parent exited'));
  });
}

/**
 * Run as a package script (`pnpm local-aws`), the server is a child of pnpm (through `sh -c`, unless the shell
 * execs node), and pnpm exits on SIGTERM without passing it on: the server would keep the port. So it watches
 * its parent, and the shell's parent too: once one of them is gone (or the process is re-parented), it stops
 * as for SIGTERM. Only for package scripts: a server started straight from a shell may outlive it on purpose
 * (nohup, &).
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const watched = [parent, ...shellParent(parent)];
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const timer = setInterval(() => {
    if (process.ppid === parent && watched.every(alive)) return;
    clearInterval(timer);
    onGone();
  }, 200);
  timer.unref();
}

/** The parent of `pid` when `pid` is a shell (Linux /proc; elsewhere nothing, and only the parent is watched). */
function shellParent(pid: number): number[] {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (!['sh', 'dash', 'bash', 'zsh'].includes(comm)) return [];
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? [ppid] : [];
  } catch {
    return [];
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`local-aws: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
