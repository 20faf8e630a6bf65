/**
 * Rotation storms (issue 17, target 4): N ElastiCache rotations started in one window, as Secrets Manager's
 * schedule starts every secret whose rotation is due, through an endpoint that throttles each operation at
 * AWS's rates (@rotor/local-aws `createThrottle`, defaults and sources in its README).
 *
 * Each run is its own endpoint (Secrets Manager + ElastiCache, throttled) whose rotation steps run in this
 * process, through the real ElastiCache function (apps/elasticache-rotation's `buildHandler`: core, engine,
 * SDK clients, retry settings): 1,000 Lambda child processes are too heavy for a 2-core machine. Each
 * concurrent invocation gets a "container" (its own handler, store and SDK clients, kept and reused when idle,
 * as Lambda keeps warm containers), up to `maxContainers` (Lambda's concurrency; invocations beyond it wait).
 * The users are seed-page users (no password, off, in no user group), so the login test finds them disabled and
 * the wait for `active` polls the control plane alone: the storm is all API calls.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type {
  ElastiCacheService,
  FunctionHost,
  InvocationRecord,
  RegisteredFunction,
} from '@rotor/local-aws';
import {
  createElastiCacheService,
  createSecretsManagerService,
  createThrottle,
  type ServiceContext,
  startHttpEndpoint,
} from '@rotor/local-aws';
import { percentile } from '../report/stats.js';

export interface StormResult {
  rotations: number;
  succeeded: number;
  failed: number;
  /** Step invocations that failed (Secrets Manager then retried the rotation). */
  failedInvocations: number;
  wallMs: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  /** Every request the endpoint received, throttled ones included. */
  totalCalls: number;
  callsPerRotation: number;
  /** Requests the endpoint answered (not refused for throttling): the work the rotations did. */
  answeredCalls: number;
  /** Answered calls per rotation: the cost whose growth with the storm's size should be linear. */
  answeredCallsPerRotation: number;
  /** Throttled requests per rotation: they grow with the storm, whose rotations queue for the same rates. */
  throttledPerRotation: number;
  callsByOperation: Record<string, Record<string, number>>;
  /** Requests the endpoint refused for throttling; each was retried by the SDK (or failed the step). */
  throttled: number;
  throttledByOperation: Record<string, Record<string, number>>;
  containers: number;
  modifyingDelayMs: number;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The ElastiCache shorthand's ACL backend: users in no group never reach it, so it only has to exist. */
const noAcl = {
  checkRules: async () => {},
  setUser: async () => {},
  deleteUser: async () => {},
  endpoint: { host: '127.0.0.1', port: 6379 },
  transitEncryption: true,
  close: async () => {},
};

type Handler = (event: unknown, context?: unknown) => Promise<void>;

function inProcessFunctions(makeHandler: () => Handler, maxContainers: number, timeoutMs: number) {
  const idle: Handler[] = [];
  const waiting: Array<(handler: Handler) => void> = [];
  let containers = 0;
  const records: InvocationRecord[] = [];
  let registered: RegisteredFunction | undefined;

  const acquire = async (): Promise<Handler> => {
    const warm = idle.pop();
    if (warm) return warm;
    if (containers < maxContainers) {
      containers += 1;
      return makeHandler();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (handler: Handler) => {
    const next = waiting.shift();
    if (next) next(handler);
    else idle.push(handler);
  };

  const host: FunctionHost = {
    register(config) {
      registered = {
        functionName: config.functionName,
        functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${config.functionName}`,
        config: {
          functionName: config.functionName,
          bundlePath: config.bundlePath,
          handler: 'index.handler',
          timeoutSeconds: timeoutMs / 1000,
          environment: {},
          memorySizeMb: 128,
          keepWarm: true,
        },
      };
      return registered;
    },
    unregister(functionName) {
      if (registered?.functionName !== functionName) return false;
      registered = undefined;
      return true;
    },
    resolve: (id) => (registered && id.includes(registered.functionName) ? registered : undefined),
    list: () => (registered ? [registered] : []),
    async invoke(fn, event, meta = {}) {
      const startedAt = Date.now();
      const handler = await acquire();
      const deadline = Date.now() + timeoutMs;
      const record: InvocationRecord = {
        functionName: fn.functionName,
        awsRequestId: `${startedAt}-${records.length}`,
        ...meta,
        startedAt,
        coldStart: false,
        initDurationMs: 0,
        durationMs: 0,
        outcome: 'succeeded',
        logs: '',
      };
      try {
        await handler(event, {
          awsRequestId: record.awsRequestId,
          functionName: fn.functionName,
          invokedFunctionArn: fn.functionArn,
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        });
      } catch (error) {
        record.outcome = 'failed';
        record.errorType = error instanceof Error ? error.name : 'Error';
        record.errorMessage = error instanceof Error ? error.message : String(error);
      } finally {
        release(handler);
        record.durationMs = Date.now() - startedAt;
        records.push(record);
      }
      return { record };
    },
    invocations: () => [...records],
    clearInvocations: () => {
      records.length = 0;
    },
    close: async () => {},
  };
  return { host, containers: () => containers };
}

/** Environment of the in-process function (read by buildHandler and the SDK clients it creates). */
function functionEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIALOCALAWS00000000',
    AWS_SECRET_ACCESS_KEY: 'local-aws-secret-access-key',
    AWS_ENDPOINT_URL: endpoint,
    SECRETS_MANAGER_ENDPOINT: endpoint,
    ROTOR_STRATEGY: 'dual-password',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function runStorm(
  size: number,
  options: { modifyingDelayMs: number; maxContainers: number; timeoutMs: number },
  log: (line: string) => void,
): Promise<StormResult> {
  const context: ServiceContext = {
    region: REGION,
    accountId: ACCOUNT,
    readSecretString: (id) => secretsManager.readSecretString(id),
  };
  let endpointUrl = '';
  // The function's code reads its configuration and endpoints from the environment, as in Lambda.
  const saved = { ...process.env };
  // Quiet before the app's modules create their logger and metrics (read at import).
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const { buildHandler } = await import('@rotor/app-elasticache-rotation/handler');
  const functions = inProcessFunctions(
    () => buildHandler({ ...functionEnvironment(endpointUrl) }) as Handler,
    options.maxContainers,
    options.timeoutMs,
  );
  const secretsManager = createSecretsManagerService({
    region: REGION,
    accountId: ACCOUNT,
    functions: functions.host,
    rotation: { maxAttempts: 3, retryDelayMs: 1_000 },
  });
  const elasticache: ElastiCacheService = createElastiCacheService({
    aclBackend: noAcl,
    modifyingDelayMs: options.modifyingDelayMs,
  });
  const throttle = createThrottle();
  const http = await startHttpEndpoint({
    services: [throttle.wrap(secretsManager), throttle.wrap(elasticache)],
    context,
  });
  endpointUrl = http.url;
  Object.assign(process.env, functionEnvironment(endpointUrl));
  secretsManager.start();
  try {
    const fn = functions.host.register({ functionName: 'rotor-storm', bundlePath: 'in-process' });
    // Setup straight into the services: neither counted nor throttled.
    const arns: string[] = [];
    for (let i = 0; i < size; i++) {
      const id = `storm-${size}-${i}`;
      await elasticache.handle(
        'CreateUser',
        new URLSearchParams({
          Action: 'CreateUser',
          UserId: id,
          UserName: id,
          Engine: 'redis',
          NoPasswordRequired: 'true',
          AccessString: 'off +get ~keys*',
        }),
        context,
      );
      const created = await secretsManager.call('CreateSecret', {
        Name: `storm/${id}`,
        SecretString: JSON.stringify({
          user_arn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:${id}`,
          username: id,
        }),
      });
      arns.push(String(created.ARN));
    }
    await elasticache.settled();
    http.resetApiCalls();
    throttle.reset();
    log(`storm: ${size} rotations start at once (modifying delay ${options.modifyingDelayMs} ms)`);

    const started = performance.now();
    const times: number[] = [];
    let failed = 0;
    const progress = startProgress(
      size,
      started,
      {
        finished: () => ({ succeeded: times.length, failed }),
        calls: () => sumCounts(http.apiCalls()),
        throttled: () => sumCounts(throttle.counts().throttled),
        containers: functions.containers,
        invocations: () => functions.host.invocations().length,
      },
      log,
    );
    await Promise.all(
      arns.map(async (arn) => {
        // The rotation window: Secrets Manager starts each due rotation itself (no RotateSecret request).
        await secretsManager.call('RotateSecret', {
          SecretId: arn,
          RotationLambdaARN: fn.functionArn,
          RotationRules: { AutomaticallyAfterDays: 30 },
        });
        const record = await secretsManager.waitForRotation(arn, { timeoutMs: 30 * 60_000 });
        if (record.status === 'succeeded') times.push(performance.now() - started);
        else failed += 1;
      }),
    );
    progress.stop();
    const wallMs = performance.now() - started;
    const calls = http.apiCalls();
    const totalCalls = sumCounts(calls);
    const { throttled } = throttle.counts();
    const throttledTotal = sumCounts(throttled);
    const result: StormResult = {
      rotations: size,
      succeeded: times.length,
      failed,
      failedInvocations: functions.host.invocations().filter((r) => r.outcome !== 'succeeded').length,
      wallMs,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      totalCalls,
      callsPerRotation: totalCalls / size,
      answeredCalls: totalCalls - throttledTotal,
      answeredCallsPerRotation: (totalCalls - throttledTotal) / size,
      throttledPerRotation: throttledTotal / size,
      callsByOperation: calls,
      throttled: throttledTotal,
      throttledByOperation: throttled,
      containers: functions.containers(),
      modifyingDelayMs: options.modifyingDelayMs,
    };
    log(
      `storm: ${size}: ${result.succeeded} ok, ${failed} failed in ${Math.round(wallMs)} ms; ${totalCalls} calls, ${throttledTotal} throttled`,
    );
    return result;
  } finally {
    await secretsManager.close();
    await http.close();
    await elasticache.close?.();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function sumCounts(counts: Record<string, Record<string, number>>): number {
  return Object.values(counts)
    .flatMap((operations) => Object.values(operations))
    .reduce((sum, n) => sum + n, 0);
}

/**
 * A line every 10 s while a storm runs (rotations finished, calls and throttled calls so far and their rate,
 * event-loop delay), so a slow or stuck run is visible as it happens rather than after its timeout.
 */
function startProgress(
  size: number,
  started: number,
  source: {
    finished: () => { succeeded: number; failed: number };
    calls: () => number;
    throttled: () => number;
    containers: () => number;
    invocations: () => number;
  },
  log: (line: string) => void,
): { stop(): void } {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  let lastAt = started;
  let lastCalls = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const calls = source.calls();
    const { succeeded, failed } = source.finished();
    const rate = ((calls - lastCalls) * 1000) / (now - lastAt);
    log(
      `storm: ${size}: ${Math.round((now - started) / 1000)} s: ${succeeded} ok, ${failed} failed, ` +
        `${source.invocations()} steps done, ${source.containers()} containers; ${calls} calls (${rate.toFixed(0)}/s), ` +
        `${source.throttled()} throttled; event loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(0)} ms, ` +
        `max ${(delay.max / 1e6).toFixed(0)} ms; heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
    );
    delay.reset();
    lastAt = now;
    lastCalls = calls;
  }, 10_000);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
