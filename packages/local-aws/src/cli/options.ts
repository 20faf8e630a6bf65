import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ElastiCacheCacheConfig } from '../elasticache/index.js';
import type { AccessKey, EndpointAuth } from '../http/sigv4-verifier.js';
import type { FunctionConfig } from '../lambda/function-host.js';

/** What `local-aws` runs with: flags over the `--config` file over defaults. */
export interface CliSettings {
  port: number;
  region: string;
  accountId: string;
  stateFile?: string;
  redisUrl?: string;
  /** PEM read from --redis-ca-file, to verify a `rediss://` --redis-url. */
  redisCa?: string;
  /** ElastiCache caches from the config file, each played by its own Redis. */
  caches?: ElastiCacheCacheConfig[];
  postgresUrl?: string;
  modifyingDelayMs?: number;
  /** ClusterIdentifier / WorkgroupName -> PostgreSQL admin URL; others fall back to postgresUrl. */
  clusters?: Record<string, string>;
  workgroups?: Record<string, string>;
  /** RDS DBInstanceIdentifier / DBClusterIdentifier -> PostgreSQL admin URL (DescribeDBInstances / Clusters). */
  dbInstances?: Record<string, string>;
  dbClusters?: Record<string, string>;
  rotation: {
    maxAttempts?: number;
    retryDelayMs?: number;
    scheduleCheckMs: number;
    redriveAfterMs?: number;
  };
  functions: FunctionConfig[];
  auth: EndpointAuth;
  verbose: boolean;
  /**
   * Start a throwaway Redis (TLS) and PostgreSQL for the services no URL or config names (default true;
   * --no-embedded serves only what is configured).
   */
  embedded: boolean;
  /** Test mode: a module every function process loads first (--test-function-preload). */
  testFunctionPreload?: string;
}

export const USAGE = `Usage: local-aws [options]

Serves Secrets Manager (with rotation functions), Lambda, CloudWatch Logs, ElastiCache users and the
Redshift Data API on http://127.0.0.1:<port> until interrupted (Ctrl+C). Without --redis-url (or config
caches) and --postgres-url (or config clusters/workgroups) it starts its own throwaway Redis (TLS) and
PostgreSQL, with random passwords, on free ports, and removes them when it stops.

Options:
  --port <n>                 Port on 127.0.0.1 (default 4566; 0 picks a free one)
  --state-file <path>        Keep secrets and ElastiCache users in this JSON file across restarts
  --redis-url <url>          Admin URL of the Redis behind ElastiCache's one replication group rotor-local
                             (redis://default:pw@host:port; rediss:// for TLS, which user groups need)
  --redis-ca-file <file>     PEM certificate that verifies a rediss:// --redis-url
  --postgres-url <url>       Admin URL of the PostgreSQL behind Redshift; every cluster/workgroup maps to it
  --modifying-delay-ms <n>   How long ElastiCache users, groups and caches stay 'modifying' (default 0)
  --schedule-check-ms <n>    How often due secrets (NextRotationDate passed) are rotated and failed
                             rotations re-driven (default 60000; 0 = never)
  --redrive-after-ms <n>     How long a failed rotation waits before it is re-driven (default 60000)
  --config <file>            JSON: { functions: [{ functionName, bundlePath, handler?, timeoutSeconds?,
                             environment? }], caches?: [{ replicationGroupId | serverlessCacheName,
                             redisUrl, caFile? }], clusters?, workgroups?, dbInstances?, dbClusters?
                             (RDS id -> postgres URL), rotation?: { maxAttempts,
                             retryDelayMs, scheduleCheckMs, redriveAfterMs },
                             and any flag above in camelCase }. Paths are relative to the file.
  --region <name>            Default us-east-1
  --account-id <id>          Default 123456789012
  --auth <none|sigv4>        none (default): signatures are accepted unverified; sigv4: every request must be
                             signed with a configured key (config: "auth", "accessKeys": [{ accessKeyId,
                             secretAccessKey }]); rotation functions get the first key
  --access-key-id <id>       With --secret-access-key: one key for --auth sigv4 (prefer the config file for
  --secret-access-key <key>  the secret: command lines are visible to every local user)
  --no-embedded              Start no Redis or PostgreSQL: serve only what the flags and config name
  --verbose                  Log every invocation and rotation to stderr
  --test-function-preload <file>
                             Test mode only: an ES module every function process imports first
  --help                     Show this text
`;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function integer(name: string, value: unknown, min: number, max: number): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new CliUsageError(`${name} must be an integer from ${min} to ${max}`);
  }
  return number;
}

function stringOrUndefined(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new CliUsageError(`${name} must be a non-empty string`);
  return value;
}

function stringMap(name: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw new CliUsageError(`${name} must map names to URLs`);
  }
  return value as Record<string, string>;
}

function readConfig(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliUsageError(`Cannot read --config ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError(`--config ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function readPem(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`Cannot read ${name} ${path}: ${(error as Error).message}`);
  }
}

/** The keys a config file may hold: a misspelt one is refused rather than silently ignored. */
const CONFIG_KEYS = [
  'port',
  'stateFile',
  'redisUrl',
  'redisCaFile',
  'postgresUrl',
  'modifyingDelayMs',
  'testFunctionPreload',
  'region',
  'accountId',
  'auth',
  'accessKeyId',
  'secretAccessKey',
  'accessKeys',
  'verbose',
  'embedded',
  'functions',
  'caches',
  'clusters',
  'workgroups',
  'dbInstances',
  'dbClusters',
  'rotation',
];
const ROTATION_KEYS = ['maxAttempts', 'retryDelayMs', 'scheduleCheckMs', 'redriveAfterMs'];
const CACHE_KEYS = ['replicationGroupId', 'serverlessCacheName', 'redisUrl', 'caFile'];
const FUNCTION_KEYS = [
  'functionName',
  'bundlePath',
  'handler',
  'timeoutSeconds',
  'environment',
  'memorySizeMb',
];

function refuseUnknownKeys(label: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (label === 'config') return;
    throw new CliUsageError(`${label} must be a JSON object`);
  }
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new CliUsageError(
      `${label} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  }
}

/** config.caches: each a replication group or serverless cache played by its own Redis. */
function cachesFrom(value: unknown, baseDir: string): ElastiCacheCacheConfig[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new CliUsageError('config.caches must be a list');
  return value.map((entry, index) => {
    const cache = (entry ?? {}) as Record<string, unknown>;
    const label = `config.caches[${index}]`;
    refuseUnknownKeys(label, cache, CACHE_KEYS);
    const replicationGroupId = stringOrUndefined(`${label}.replicationGroupId`, cache.replicationGroupId);
    const serverlessCacheName = stringOrUndefined(`${label}.serverlessCacheName`, cache.serverlessCacheName);
    if ((replicationGroupId === undefined) === (serverlessCacheName === undefined)) {
      throw new CliUsageError(`${label} needs exactly one of replicationGroupId or serverlessCacheName`);
    }
    const redisUrl = stringOrUndefined(`${label}.redisUrl`, cache.redisUrl);
    if (redisUrl === undefined) throw new CliUsageError(`${label} needs a redisUrl`);
    const caFile = stringOrUndefined(`${label}.caFile`, cache.caFile);
    return {
      ...(replicationGroupId !== undefined ? { replicationGroupId } : { serverlessCacheName }),
      redisUrl: checkedUrl(`${label}.redisUrl`, redisUrl, ['redis:', 'rediss:']),
      ...(caFile !== undefined ? { ca: readPem(`${label}.caFile`, resolve(baseDir, caFile)) } : {}),
    };
  });
}

function functionsFrom(value: unknown, baseDir: string): FunctionConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new CliUsageError('config.functions must be a list');
  return value.map((entry, index) => {
    const fn = (entry ?? {}) as Partial<FunctionConfig>;
    refuseUnknownKeys(`config.functions[${index}]`, fn as Record<string, unknown>, FUNCTION_KEYS);
    if (typeof fn.functionName !== 'string' || typeof fn.bundlePath !== 'string') {
      throw new CliUsageError(`config.functions[${index}] needs functionName and bundlePath`);
    }
    return {
      functionName: fn.functionName,
      bundlePath: resolve(baseDir, fn.bundlePath),
      ...(fn.handler !== undefined ? { handler: fn.handler } : {}),
      ...(fn.timeoutSeconds !== undefined ? { timeoutSeconds: fn.timeoutSeconds } : {}),
      ...(fn.environment !== undefined ? { environment: fn.environment } : {}),
      ...(fn.memorySizeMb !== undefined ? { memorySizeMb: fn.memorySizeMb } : {}),
    };
  });
}

/** Parses argv (without `node script`); throws CliUsageError with a message fit for the user. */
export function parseCliSettings(argv: string[], cwd = process.cwd()): CliSettings | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'state-file': { type: 'string' },
        'redis-url': { type: 'string' },
        'redis-ca-file': { type: 'string' },
        'postgres-url': { type: 'string' },
        'modifying-delay-ms': { type: 'string' },
        'schedule-check-ms': { type: 'string' },
        'redrive-after-ms': { type: 'string' },
        'test-function-preload': { type: 'string' },
        config: { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        auth: { type: 'string' },
        'access-key-id': { type: 'string' },
        'secret-access-key': { type: 'string' },
        verbose: { type: 'boolean' },
        'no-embedded': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help) return 'help';
  const configPath = typeof flags.config === 'string' ? resolve(cwd, flags.config) : undefined;
  const config = configPath ? readConfig(configPath) : {};
  refuseUnknownKeys('config', config, CONFIG_KEYS);
  if (config.embedded !== undefined && typeof config.embedded !== 'boolean') {
    throw new CliUsageError('config.embedded must be true or false');
  }
  const configDir = configPath ? dirname(configPath) : cwd;
  const pick = (flag: string, key: string) => (flags[flag] !== undefined ? flags[flag] : config[key]);
  const pathFrom = (flag: string, key: string) => {
    if (flags[flag] !== undefined) return resolve(cwd, flags[flag] as string);
    const fromConfig = stringOrUndefined(key, config[key]);
    return fromConfig === undefined ? undefined : resolve(configDir, fromConfig);
  };

  const rotation = (config.rotation ?? {}) as Record<string, unknown>;
  refuseUnknownKeys('config.rotation', rotation, ROTATION_KEYS);
  const modifyingDelay = pick('modifying-delay-ms', 'modifyingDelayMs');
  const scheduleCheck = flags['schedule-check-ms'] ?? rotation.scheduleCheckMs ?? 60_000;
  const redriveAfter = flags['redrive-after-ms'] ?? rotation.redriveAfterMs;
  const settings: CliSettings = {
    port: integer('--port', pick('port', 'port') ?? 4566, 0, 65_535),
    region: stringOrUndefined('--region', pick('region', 'region')) ?? 'us-east-1',
    accountId: stringOrUndefined('--account-id', pick('account-id', 'accountId')) ?? '123456789012',
    rotation: {
      ...(rotation.maxAttempts !== undefined
        ? { maxAttempts: integer('rotation.maxAttempts', rotation.maxAttempts, 1, 100) }
        : {}),
      ...(rotation.retryDelayMs !== undefined
        ? { retryDelayMs: integer('rotation.retryDelayMs', rotation.retryDelayMs, 0, 3_600_000) }
        : {}),
      scheduleCheckMs: integer('--schedule-check-ms', scheduleCheck, 0, 86_400_000),
      ...(redriveAfter !== undefined
        ? { redriveAfterMs: integer('--redrive-after-ms', redriveAfter, 0, 86_400_000) }
        : {}),
    },
    functions: functionsFrom(config.functions, configDir),
    auth: authFrom(pick('auth', 'auth'), accessKeysFrom(flags, config)),
    verbose: flags.verbose === true || config.verbose === true,
    embedded: flags['no-embedded'] !== true && config.embedded !== false,
  };
  if (!/^\d{12}$/.test(settings.accountId)) throw new CliUsageError('--account-id must be 12 digits');
  const stateFile = pathFrom('state-file', 'stateFile');
  if (stateFile) settings.stateFile = stateFile;
  const preload = pathFrom('test-function-preload', 'testFunctionPreload');
  if (preload) settings.testFunctionPreload = preload;
  const redisUrl = stringOrUndefined('--redis-url', pick('redis-url', 'redisUrl'));
  if (redisUrl) settings.redisUrl = checkedUrl('--redis-url', redisUrl, ['redis:', 'rediss:']);
  const redisCaFile = pathFrom('redis-ca-file', 'redisCaFile');
  if (redisCaFile) settings.redisCa = readPem('--redis-ca-file', redisCaFile);
  const caches = cachesFrom(config.caches, configDir);
  if (caches) {
    if (redisUrl)
      throw new CliUsageError('Give ElastiCache caches in the config file or --redis-url, not both');
    settings.caches = caches;
  }
  const postgresUrl = stringOrUndefined('--postgres-url', pick('postgres-url', 'postgresUrl'));
  if (postgresUrl)
    settings.postgresUrl = checkedUrl('--postgres-url', postgresUrl, ['postgres:', 'postgresql:']);
  if (modifyingDelay !== undefined) {
    settings.modifyingDelayMs = integer('--modifying-delay-ms', modifyingDelay, 0, 3_600_000);
  }
  const clusters = stringMap('config.clusters', config.clusters);
  if (clusters) settings.clusters = clusters;
  const workgroups = stringMap('config.workgroups', config.workgroups);
  if (workgroups) settings.workgroups = workgroups;
  const dbInstances = stringMap('config.dbInstances', config.dbInstances);
  if (dbInstances) settings.dbInstances = dbInstances;
  const dbClusters = stringMap('config.dbClusters', config.dbClusters);
  if (dbClusters) settings.dbClusters = dbClusters;
  return settings;
}

/** AWS access key ids are 16 to 128 word characters (IAM AccessKey data type). */
const ACCESS_KEY_ID = /^\w{16,128}$/;

function accessKey(name: string, accessKeyId: unknown, secretAccessKey: unknown): AccessKey {
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw new CliUsageError(`${name}: the access key id must be 16 to 128 letters, digits or underscores`);
  }
  if (typeof secretAccessKey !== 'string' || !/^\S{16,}$/.test(secretAccessKey)) {
    throw new CliUsageError(`${name}: the secret access key must be at least 16 characters without spaces`);
  }
  return { accessKeyId, secretAccessKey };
}

function accessKeysFrom(
  flags: Record<string, string | boolean | undefined>,
  config: Record<string, unknown>,
): AccessKey[] {
  const keys: AccessKey[] = [];
  const id = flags['access-key-id'] ?? config.accessKeyId;
  const secret = flags['secret-access-key'] ?? config.secretAccessKey;
  if (id !== undefined || secret !== undefined) {
    keys.push(accessKey('--access-key-id/--secret-access-key', id, secret));
  }
  if (config.accessKeys !== undefined) {
    if (!Array.isArray(config.accessKeys)) throw new CliUsageError('config.accessKeys must be a list');
    config.accessKeys.forEach((entry: unknown, index) => {
      const key = (entry ?? {}) as Record<string, unknown>;
      keys.push(accessKey(`config.accessKeys[${index}]`, key.accessKeyId, key.secretAccessKey));
    });
  }
  const ids = keys.map((key) => key.accessKeyId);
  if (new Set(ids).size !== ids.length) throw new CliUsageError('an access key id is configured twice');
  return keys;
}

function authFrom(mode: unknown, keys: AccessKey[]): EndpointAuth {
  if (mode === undefined || mode === 'none') {
    // Keys that verify nothing would look like protection; say so instead.
    if (keys.length > 0) throw new CliUsageError('access keys are only used with --auth sigv4');
    return { mode: 'none' };
  }
  if (mode !== 'sigv4') throw new CliUsageError('--auth must be none or sigv4');
  if (keys.length === 0) {
    throw new CliUsageError(
      '--auth sigv4 needs an access key (--access-key-id and --secret-access-key, or config.accessKeys)',
    );
  }
  return { mode: 'sigv4', keys };
}

function checkedUrl(name: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`${name} is not a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new CliUsageError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return value;
}

/** A URL fit for printing: the password replaced. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return '<invalid url>';
  }
}
