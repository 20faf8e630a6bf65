import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import type { PermissionStatement } from './policy.js';

/** Like a Lambda function configuration: what to run and with which limits and environment. */
export interface FunctionConfig {
  /** The function name; `arn:aws:lambda:<region>:<account>:function:<name>` resolves to it too. */
  functionName: string;
  /** The built bundle (ESM or CommonJS) that exports the handler. */
  bundlePath: string;
  /** Export name (`handler`, the default) or Lambda's `file.export` form. */
  handler?: string;
  /** Lambda's timeout; the invocation is killed when it runs out. Default 30, like a rotation function's. */
  timeoutSeconds?: number;
  /** The function's own environment variables. */
  environment?: Record<string, string>;
  /** Reported as `context.memoryLimitInMB`; not enforced. Default 128. */
  memorySizeMb?: number;
  /**
   * Reuse the process for the function's next invocation, as Lambda reuses a warm container (module state
   * survives between invocations). Default true; false starts a fresh process (a cold start) every time.
   */
  keepWarm?: boolean;
}

export interface RegisteredFunction {
  readonly functionName: string;
  readonly functionArn: string;
  readonly config: Readonly<Required<Omit<FunctionConfig, 'environment'>>> & {
    environment: Record<string, string>;
  };
  /**
   * The function's resource-based policy (AddPermission statements) when it was created through the Lambda
   * API; other services may invoke it only as these allow. Undefined for functions registered by
   * configuration (config file, `functions` option, registerFunction): those are trusted as pre-authorized.
   */
  readonly policy?: readonly PermissionStatement[];
}

export type InvocationOutcome = 'succeeded' | 'failed' | 'timeout';

/** One invocation, as recorded for tests and benchmarks. No event payload or logs of values are kept here. */
export interface InvocationRecord {
  functionName: string;
  awsRequestId: string;
  /** The rotation step, when Secrets Manager invoked the function for one. */
  step?: string;
  secretId?: string;
  clientRequestToken?: string;
  /** 1-based attempt of the rotation this invocation belongs to. */
  attempt?: number;
  startedAt: number;
  /** Whether a new process was started (and the bundle loaded) for this invocation. */
  coldStart: boolean;
  /** Time to start the process and load the bundle (Lambda's init duration); 0 on a warm start. */
  initDurationMs: number;
  /** Time the handler ran. */
  durationMs: number;
  outcome: InvocationOutcome;
  errorType?: string;
  errorMessage?: string;
  /** What the function wrote to stdout/stderr (capped), so tests can check what a function logs. */
  logs: string;
}

export interface InvocationResult {
  record: InvocationRecord;
  /** The handler's return value when it succeeded. */
  result?: unknown;
}

export interface InvocationMeta {
  step?: string;
  secretId?: string;
  clientRequestToken?: string;
  attempt?: number;
}

export interface FunctionHostOptions {
  region: string;
  accountId: string;
  /** The endpoint URL handed to functions as AWS_ENDPOINT_URL; read at each invocation. */
  endpoint: () => string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  logger?: LocalAwsLogger;
  /** Lambda's init phase limit. */
  initTimeoutMs?: number;
  /** How long a warm process waits for its next invocation before it is stopped. Default 60 s. */
  idleTimeoutMs?: number;
  /**
   * Test mode only: an ES module every function process loads first (`node --import`), before the runner
   * and the bundle, such as @rotor/testkit's crash interceptor. Lambda has no such hook; it exists so tests
   * can observe and break a function's connections from inside its process.
   */
  preloadModule?: string;
  /** Called once per finished invocation (CloudWatch Logs takes the function's log lines from it). */
  onInvocationEnded?: (record: InvocationRecord, fn: RegisteredFunction) => void;
}

export interface FunctionHost {
  /** Registers (or replaces) a function; `policy` marks it as created through the Lambda API. */
  register(config: FunctionConfig, policy?: readonly PermissionStatement[]): RegisteredFunction;
  /** Removes a function and stops its warm processes; false when there was none. */
  unregister(functionName: string): boolean;
  /** By name, full or partial function ARN (a `:qualifier` is ignored). */
  resolve(functionId: string): RegisteredFunction | undefined;
  list(): RegisteredFunction[];
  invoke(fn: RegisteredFunction, event: unknown, meta?: InvocationMeta): Promise<InvocationResult>;
  invocations(): InvocationRecord[];
  clearInvocations(): void;
  /** Kills running invocations and warm processes. */
  close(): Promise<void>;
}

const MAX_LOG_CHARS = 64 * 1024;
/** Invocation records kept (oldest dropped first), so a long-running endpoint's memory stays bounded. */
const MAX_RECORDS = 5_000;
const DEFAULT_TIMEOUT_SECONDS = 30;
const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/** The runner sits next to this module in src/ and (copied by the build) in dist/. */
function runnerPath(): string {
  return fileURLToPath(new URL('./runner.mjs', import.meta.url));
}

/**
 * Runs registered rotation functions from their built bundles, each invocation in a fresh child process
 * (isolated from the endpoint as Lambda isolates it from Secrets Manager) with a Lambda-like context and
 * environment, killed when its timeout runs out.
 */
export function createFunctionHost(options: FunctionHostOptions): FunctionHost {
  const logger = options.logger ?? silentLogger;
  const functions = new Map<string, RegisteredFunction>();
  const records: InvocationRecord[] = [];
  /** Every live process, running an invocation or warm. */
  const running = new Set<ChildProcess>();
  const initTimeoutMs = options.initTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const execArgv = options.preloadModule
    ? ['--import', pathToFileURL(resolvePath(options.preloadModule)).href]
    : [];
  if (options.preloadModule && !existsSync(resolvePath(options.preloadModule))) {
    throw new Error(`The function preload module ${options.preloadModule} does not exist`);
  }

  const arnFor = (name: string) => `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`;

  const environmentFor = (fn: RegisteredFunction): Record<string, string> => {
    const endpoint = options.endpoint();
    const inherited: Record<string, string> = {};
    // Only what a process needs to run; nothing else of the endpoint's environment (NODE_OPTIONS, test
    // runner settings, real AWS credentials) leaks into the function.
    for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
      const value = process.env[key];
      if (value !== undefined) inherited[key] = value;
    }
    return {
      ...inherited,
      TZ: 'UTC',
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.config.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
      LAMBDA_TASK_ROOT: dirname(fn.config.bundlePath),
      AWS_ENDPOINT_URL: endpoint,
      SECRETS_MANAGER_ENDPOINT: endpoint,
      ...fn.config.environment,
    };
  };

  /** Warm sandboxes waiting for their function's next invocation, as Lambda keeps containers warm. */
  const idle = new Map<string, ChildProcess[]>();
  const idleTimers = new Map<ChildProcess, NodeJS.Timeout>();
  const alive = (child: ChildProcess) =>
    child.exitCode === null && child.signalCode === null && child.connected;

  const takeIdle = (fn: RegisteredFunction): ChildProcess | undefined => {
    const pool = idle.get(fn.functionName) ?? [];
    while (pool.length > 0) {
      const child = pool.pop()!;
      clearTimeout(idleTimers.get(child));
      idleTimers.delete(child);
      if (alive(child)) {
        for (const handle of [child, child.channel, child.stdout, child.stderr] as Array<{
          ref?: () => void;
        } | null>) {
          handle?.ref?.();
        }
        return child;
      }
    }
    return undefined;
  };

  const release = (fn: RegisteredFunction, child: ChildProcess) => {
    const pool = idle.get(fn.functionName) ?? [];
    pool.push(child);
    idle.set(fn.functionName, pool);
    // An idle sandbox must not keep the endpoint's process alive, and goes away after a while.
    for (const handle of [child, child.channel, child.stdout, child.stderr] as Array<{
      unref?: () => void;
    } | null>) {
      handle?.unref?.();
    }
    const timer = setTimeout(() => {
      idle.set(
        fn.functionName,
        (idle.get(fn.functionName) ?? []).filter((candidate) => candidate !== child),
      );
      idleTimers.delete(child);
      child.kill('SIGKILL');
    }, idleTimeoutMs);
    timer.unref();
    idleTimers.set(child, timer);
  };

  const invoke = (
    fn: RegisteredFunction,
    event: unknown,
    meta: InvocationMeta = {},
  ): Promise<InvocationResult> => {
    const awsRequestId = randomUUID();
    const startedAt = Date.now();
    const keepWarm = fn.config.keepWarm;
    const reused = keepWarm ? takeIdle(fn) : undefined;
    const child =
      reused ??
      fork(runnerPath(), [], {
        execArgv,
        env: environmentFor(fn),
        cwd: dirname(fn.config.bundlePath),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    const coldStart = reused === undefined;
    if (coldStart) {
      running.add(child);
      child.once('exit', () => running.delete(child));
    }
    let logs = '';
    const appendLog = (chunk: Buffer | string) => {
      if (logs.length < MAX_LOG_CHARS) logs += chunk.toString().slice(0, MAX_LOG_CHARS - logs.length);
    };
    child.stdout?.on('data', appendLog);
    child.stderr?.on('data', appendLog);

    return new Promise<InvocationResult>((resolve) => {
      let phase: 'init' | 'invoke' | 'done' = coldStart ? 'init' : 'invoke';
      let invokeStartedAt = startedAt;
      let initDurationMs = 0;
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;

      const settle = (
        outcome: InvocationOutcome,
        fields: { errorType?: string; errorMessage?: string; result?: unknown },
        reusable = false,
      ) => {
        if (phase === 'done') return;
        const endedAt = Date.now();
        const durationMs = phase === 'invoke' ? endedAt - invokeStartedAt : 0;
        if (phase === 'init') initDurationMs = endedAt - startedAt;
        phase = 'done';
        if (timer) clearTimeout(timer);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('exit', onExit);
        child.stdout?.off('data', appendLog);
        child.stderr?.off('data', appendLog);
        const record: InvocationRecord = {
          functionName: fn.functionName,
          awsRequestId,
          ...meta,
          startedAt,
          coldStart,
          initDurationMs,
          durationMs,
          outcome,
          ...(fields.errorType ? { errorType: fields.errorType } : {}),
          ...(fields.errorMessage !== undefined ? { errorMessage: fields.errorMessage } : {}),
          logs,
        };
        records.push(record);
        options.onInvocationEnded?.(record, fn);
        if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
        logger.debug('Function invocation ended', {
          functionName: fn.functionName,
          step: meta.step,
          outcome,
          coldStart,
          durationMs: record.durationMs,
          errorType: record.errorType,
        });
        if (reusable && keepWarm && alive(child)) {
          release(fn, child);
        } else if (alive(child)) {
          // The runner exits on its own after reporting when not kept warm; make sure it does.
          const killer = setTimeout(() => child.kill('SIGKILL'), 1_000);
          killer.unref();
        }
        resolve({ record, ...(outcome === 'succeeded' ? { result: fields.result } : {}) });
      };

      const startInvoke = () => {
        invokeStartedAt = Date.now();
        if (coldStart) initDurationMs = invokeStartedAt - startedAt;
        phase = 'invoke';
        const timeoutMs = fn.config.timeoutSeconds * 1000;
        timer = setTimeout(() => {
          // Recorded once the process is gone (see onExit), so a timed-out invocation leaves nothing running.
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.send({
          type: 'invoke',
          keepWarm,
          event,
          context: {
            functionName: fn.functionName,
            invokedFunctionArn: fn.functionArn,
            memoryLimitInMB: fn.config.memorySizeMb,
            awsRequestId,
            logStreamName: logStreamNameFor(startedAt, awsRequestId),
            deadline: invokeStartedAt + timeoutMs,
          },
        });
      };

      const onMessage = (message: RunnerMessage) => {
        if (message.type === 'log') {
          appendLog(message.data);
        } else if (message.type === 'ready' && phase === 'init') {
          clearTimeout(timer);
          startInvoke();
        } else if (message.type === 'init-error') {
          settle('failed', { errorType: message.errorType, errorMessage: message.errorMessage });
        } else if (message.type === 'result') {
          // A handled function error keeps the sandbox, as Lambda does; a crash ends it (runner exits).
          if (message.ok) settle('succeeded', { result: message.result }, true);
          else
            settle(
              'failed',
              { errorType: message.errorType, errorMessage: message.errorMessage },
              !message.fatal,
            );
        }
      };
      const onError = (error: Error) => {
        settle('failed', { errorType: 'Runtime.StartError', errorMessage: error.message });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (timedOut) {
          settle('timeout', {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${fn.config.timeoutSeconds.toFixed(2)} seconds`,
          });
          return;
        }
        settle('failed', {
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${awsRequestId} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}`,
        });
      };
      child.on('message', onMessage);
      child.on('error', onError);
      child.on('exit', onExit);

      if (coldStart) {
        timer = setTimeout(() => {
          settle('failed', {
            errorType: 'Runtime.InitError',
            errorMessage: `Init phase did not complete within ${initTimeoutMs} ms`,
          });
          child.kill('SIGKILL');
        }, initTimeoutMs);
        child.send({ type: 'init', bundlePath: fn.config.bundlePath, handler: fn.config.handler });
      } else {
        startInvoke();
      }
    });
  };

  const stopWarm = (functionName: string) => {
    for (const child of idle.get(functionName) ?? []) {
      clearTimeout(idleTimers.get(child));
      idleTimers.delete(child);
      child.kill('SIGKILL');
    }
    idle.delete(functionName);
  };

  return {
    register(config, policy) {
      if (!FUNCTION_NAME_PATTERN.test(config.functionName)) {
        throw new Error(
          `Invalid function name "${config.functionName}": 1-64 letters, digits, hyphens or underscores`,
        );
      }
      const bundlePath = resolvePath(config.bundlePath);
      if (!existsSync(bundlePath))
        throw new Error(`Function ${config.functionName}: no bundle at ${bundlePath}`);
      const timeoutSeconds = config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      if (!(timeoutSeconds > 0 && timeoutSeconds <= 900)) {
        throw new Error(`Function ${config.functionName}: timeoutSeconds must be in (0, 900], like Lambda's`);
      }
      const registered: RegisteredFunction = {
        functionName: config.functionName,
        functionArn: arnFor(config.functionName),
        config: {
          functionName: config.functionName,
          bundlePath,
          handler: config.handler ?? 'handler',
          timeoutSeconds,
          memorySizeMb: config.memorySizeMb ?? 128,
          keepWarm: config.keepWarm ?? true,
          environment: { ...(config.environment ?? {}) },
        },
        ...(policy ? { policy: [...policy] } : {}),
      };
      // A new configuration must not run in a process started with the old one.
      stopWarm(config.functionName);
      functions.set(config.functionName, registered);
      return registered;
    },
    unregister(functionName) {
      stopWarm(functionName);
      return functions.delete(functionName);
    },
    resolve(functionId) {
      const match = /^arn:aws[a-z-]*:lambda:([^:]*):([^:]*):function:([^:]+)(?::[^:]+)?$/.exec(functionId);
      if (match) {
        const [, region, accountId, name] = match;
        if (region !== options.region || accountId !== options.accountId) return undefined;
        return functions.get(name!);
      }
      return functions.get(functionId);
    },
    list: () => [...functions.values()],
    invoke,
    invocations: () => records.map((record) => ({ ...record })),
    clearInvocations: () => {
      records.length = 0;
    },
    async close() {
      for (const timer of idleTimers.values()) clearTimeout(timer);
      idleTimers.clear();
      idle.clear();
      await Promise.all(
        [...running].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

/**
 * Lambda's log stream name for an invocation: `YYYY/MM/DD/[$LATEST]<32 hex>` (one stream per invocation
 * here; Lambda uses one per execution environment).
 */
export function logStreamNameFor(startedAt: number, awsRequestId: string): string {
  const day = new Date(startedAt).toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${awsRequestId.replace(/-/g, '')}`;
}

type RunnerMessage =
  | { type: 'log'; data: string }
  | { type: 'ready' }
  | { type: 'init-error'; errorType: string; errorMessage: string }
  | { type: 'result'; ok: true; result: unknown }
  | { type: 'result'; ok: false; errorType: string; errorMessage: string; fatal?: boolean };
