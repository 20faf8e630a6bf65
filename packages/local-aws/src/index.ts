import {
  createElastiCacheService,
  type ElastiCacheService,
  type ElastiCacheServiceOptions,
  type ElastiCacheState,
} from './elasticache/index.js';
import { type ApiCallCounts, startHttpEndpoint } from './http/server.js';
import type { AccessKey, EndpointAuth } from './http/sigv4-verifier.js';
import {
  createFunctionHost,
  type FunctionConfig,
  type InvocationRecord,
  type RegisteredFunction,
} from './lambda/function-host.js';
import { createLambdaService } from './lambda/lambda-service.js';
import { type LocalAwsLogger, silentLogger } from './logger.js';
import { functionLogEvents } from './logs/function-logs.js';
import { createLogStore } from './logs/log-store.js';
import { createLogsService } from './logs/logs-service.js';
import { createRdsService, type RdsServiceOptions } from './rds/rds-service.js';
import { createRedshiftControlPlaneServices } from './redshift-control-plane/index.js';
import {
  createRedshiftDataService,
  type RedshiftDataService,
  type RedshiftDataServiceOptions,
} from './redshift-data/index.js';
import type { RotationRecord, RotationSettings } from './secrets-manager/rotation.js';
import { createSecretsManagerService, type SecretsManagerService } from './secrets-manager/service.js';
import type { LocalService, ServiceContext } from './service.js';
import { readStateSection, writeStateSection } from './state-file.js';
import { createThrottle, type ThrottlingCounts, type ThrottlingLimits } from './throttling.js';

export type {
  ElastiCacheCacheConfig,
  ElastiCacheService,
  ElastiCacheServiceOptions,
  ElastiCacheState,
} from './elasticache/index.js';
export { createElastiCacheService } from './elasticache/index.js';
export type { ApiCallCounts, HttpEndpoint, HttpEndpointOptions } from './http/server.js';
export { startHttpEndpoint } from './http/server.js';
export type { AccessKey, EndpointAuth } from './http/sigv4-verifier.js';
export type {
  FunctionConfig,
  FunctionHost,
  FunctionHostOptions,
  InvocationOutcome,
  InvocationRecord,
  RegisteredFunction,
} from './lambda/function-host.js';
export { createFunctionHost } from './lambda/function-host.js';
export type { LocalAwsLogger } from './logger.js';
export { silentLogger } from './logger.js';
export type { RdsServiceOptions } from './rds/rds-service.js';
export { createRdsService } from './rds/rds-service.js';
export type { RedshiftInventoryOptions } from './redshift-control-plane/index.js';
export {
  createRedshiftControlPlaneServices,
  createRedshiftServerlessService,
  createRedshiftService,
} from './redshift-control-plane/index.js';
export type {
  PostgresTargetConfig,
  RedshiftDataService,
  RedshiftDataServiceOptions,
} from './redshift-data/index.js';
export { createRedshiftDataService } from './redshift-data/index.js';
export type { RotationRecord, RotationSettings, RotationStatus } from './secrets-manager/rotation.js';
export type { SecretsManagerService, SecretsManagerServiceOptions } from './secrets-manager/service.js';
export { createSecretsManagerService } from './secrets-manager/service.js';
export type { JsonProtocolService, LocalService, QueryProtocolService, ServiceContext } from './service.js';
export { AwsApiError } from './service.js';
export type { RateLimit, Throttle, ThrottlingCounts, ThrottlingLimits } from './throttling.js';
export { createThrottle, DEFAULT_THROTTLING_LIMITS } from './throttling.js';

/**
 * Dummy credentials: with `auth: none` the endpoint accepts any SigV4 signature, but SDKs insist on having
 * some. Not frozen (the SDK v3 tags the credentials object it is given); pass a copy to be safe.
 */
export const LOCAL_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string } = {
  accessKeyId: 'AKIALOCALAWS00000000',
  secretAccessKey: 'local-aws-secret-access-key',
};

export interface LocalAwsOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  region?: string;
  accountId?: string;
  /**
   * `{ mode: 'none' }` (default) accepts any signature; `{ mode: 'sigv4', keys }` refuses requests not
   * signed with one of `keys` (docs/decisions/0014). Rotation functions get the first key.
   */
  auth?: EndpointAuth;
  /** Secrets (and ElastiCache users) are loaded from and saved to this JSON file. */
  stateFile?: string;
  /** Mounts ElastiCache users and user groups, applied to the Redis at `redisUrl`. */
  elasticache?: ElastiCacheServiceOptions;
  /**
   * Mounts the Redshift Data API, running statements on the PostgreSQL servers given here, and the Redshift /
   * Redshift Serverless control planes (DescribeClusters, GetWorkgroup, GetNamespace) for the same clusters and
   * workgroups, whose endpoints reach those servers.
   */
  redshiftData?: RedshiftDataServiceOptions;
  /**
   * Mounts RDS's DescribeDBInstances and DescribeDBClusters for these DB instances and clusters, each played by
   * a PostgreSQL server (where an RDS-managed master secret's database is).
   */
  rds?: RdsServiceOptions;
  /** Further services mounted on the same endpoint. */
  services?: LocalService[];
  rotation?: Partial<RotationSettings>;
  /** Rotation functions registered at start. */
  functions?: FunctionConfig[];
  logger?: LocalAwsLogger;
  /**
   * Hooks for tests that AWS does not have. `functionPreload`: an ES module loaded (`node --import`) into
   * every function process before its bundle (see FunctionHostOptions.preloadModule).
   */
  testMode?: { functionPreload?: string };
  /** Per-operation request-rate limits with AWS's throttling errors: `true` for the defaults (throttling.ts). */
  throttling?: boolean | ThrottlingLimits;
}

export interface LocalAws {
  /** `http://127.0.0.1:<port>`: the endpoint override for every SDK client and the aws CLI. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Credentials that work here: the first configured key with `auth: sigv4`, else dummy ones. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Registers a rotation function by name; returns its ARN for RotationLambdaARN. */
  registerFunction(config: FunctionConfig): RegisteredFunction;
  functions(): RegisteredFunction[];
  /** Resolves when the latest rotation of the secret (name or ARN) succeeded or failed for good. */
  waitForRotation(secretId: string, options?: { timeoutMs?: number }): Promise<RotationRecord>;
  invocations(): InvocationRecord[];
  clearInvocations(): void;
  rotations(): RotationRecord[];
  apiCalls(): ApiCallCounts;
  resetApiCalls(): void;
  /** Requests refused for throttling (empty without `throttling`). */
  throttled(): ThrottlingCounts;
  /** Direct access for tests; calls through it are not counted as API calls. */
  readonly secretsManager: SecretsManagerService;
  /** Present when `elasticache` options were given. */
  readonly elasticache: ElastiCacheService | undefined;
  /** Present when `redshiftData` options were given. */
  readonly redshiftData: RedshiftDataService | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the local AWS endpoint: Secrets Manager with rotation functions run from their bundles, plus
 * any further services, on one loopback HTTP endpoint.
 *
 * @example
 * ```ts
 * const aws = await startLocalAws({ rotation: { maxAttempts: 2, retryDelayMs: 50 } });
 * const client = new SecretsManagerClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
 * ```
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const logger = options.logger ?? silentLogger;
  const credentials = credentialsFor(options.auth);
  let endpointUrl = '';
  const logStore = createLogStore();
  const functions = createFunctionHost({
    region,
    accountId,
    endpoint: () => endpointUrl,
    credentials,
    logger,
    ...(options.testMode?.functionPreload ? { preloadModule: options.testMode.functionPreload } : {}),
    // Every invocation's output lands in /aws/lambda/<name>, as Lambda writes it to CloudWatch Logs; with
    // --verbose (the CLI's info level) it is printed too.
    onInvocationEnded: (record, fn) => {
      const [streamName, events] = functionLogEvents(record, fn);
      logStore.append(`/aws/lambda/${fn.functionName}`, streamName, events);
      for (const event of events) logger.info(`/aws/lambda/${fn.functionName}: ${event.message}`);
    },
  });
  for (const config of options.functions ?? []) functions.register(config);
  // Functions created through the Lambda API (and kept in the state file) are registered here too.
  const lambda = createLambdaService({ host: functions, stateFile: options.stateFile, logger });
  const logs = createLogsService({ store: logStore, logger });
  const secretsManager = createSecretsManagerService({
    region,
    accountId,
    functions,
    ...(options.rotation ? { rotation: options.rotation } : {}),
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    logger,
  });
  const context: ServiceContext = {
    region,
    accountId,
    readSecretString: (secretId) => secretsManager.readSecretString(secretId),
  };
  const stateFile = options.stateFile;
  // Every ElastiCache change is written when it happens, like the secrets: a SIGKILL loses none.
  let saveElastiCache: (() => void) | undefined;
  const elasticache = options.elasticache
    ? createElastiCacheService({
        logger,
        ...options.elasticache,
        ...(stateFile ? { onStateChange: () => saveElastiCache?.() } : {}),
      })
    : undefined;
  if (elasticache && stateFile) {
    const saved = readStateSection<ElastiCacheState>(stateFile, 'elasticache');
    if (saved) await elasticache.importState(saved);
    saveElastiCache = () => writeStateSection(stateFile, 'elasticache', elasticache.exportState());
  }
  const redshiftData = options.redshiftData
    ? createRedshiftDataService({ logger, ...options.redshiftData })
    : undefined;
  const services: LocalService[] = [
    secretsManager,
    lambda,
    logs,
    ...(elasticache ? [elasticache] : []),
    ...(redshiftData ? [redshiftData] : []),
    ...(options.redshiftData ? createRedshiftControlPlaneServices(options.redshiftData) : []),
    ...(options.rds ? [createRdsService(options.rds)] : []),
    ...(options.services ?? []),
  ];
  const throttle = options.throttling
    ? createThrottle(options.throttling === true ? undefined : options.throttling)
    : undefined;
  const http = await startHttpEndpoint({
    services: throttle ? services.map((service) => throttle.wrap(service)) : services,
    context,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    logger,
  });
  endpointUrl = http.url;
  // Only now may rotations restored from the state file, and the schedule, invoke functions.
  secretsManager.start();

  let stopped = false;
  return {
    endpoint: http.url,
    port: http.port,
    region,
    accountId,
    credentials: { ...credentials },
    registerFunction: (config) => functions.register(config),
    functions: () => functions.list(),
    waitForRotation: (secretId, waitOptions) => secretsManager.waitForRotation(secretId, waitOptions),
    invocations: () => functions.invocations(),
    clearInvocations: () => functions.clearInvocations(),
    rotations: () => secretsManager.rotations(),
    apiCalls: () => http.apiCalls(),
    resetApiCalls: () => http.resetApiCalls(),
    throttled: () => throttle?.counts() ?? { throttled: {} },
    secretsManager,
    elasticache,
    redshiftData,
    async stop() {
      if (stopped) return;
      stopped = true;
      await secretsManager.close();
      if (elasticache && stateFile) {
        await elasticache.settled();
        writeStateSection(stateFile, 'elasticache', elasticache.exportState());
      }
      await functions.close();
      await http.close();
      for (const service of services) {
        if (service !== secretsManager) await service.close?.();
      }
    },
  };
}

/** The keys that sign for rotation functions and tests: refusing to start beats a function that cannot sign. */
function credentialsFor(auth: EndpointAuth | undefined): AccessKey {
  if (auth?.mode !== 'sigv4') return LOCAL_CREDENTIALS;
  const [first] = auth.keys;
  if (!first) throw new TypeError("auth mode 'sigv4' needs at least one access key");
  return { accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey };
}
