// Runs one invocation of a rotation function in its own process, the way Lambda runs a bundle in its own
// sandbox: the parent (src/lambda/function-host.ts) sends `init` (load the bundle, like Lambda's init
// phase), then `invoke` with the event and the deadline; this process answers each with one message and
// exits after the invocation. Plain JavaScript so it runs with a bare `node`, from source or from dist.
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

let handlerFn;
let reported = false;

function send(message) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send(message, () => resolve());
  });
}

function errorFields(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : fallbackType,
      errorMessage: error.message,
      stack: typeof error.stack === 'string' ? error.stack.split('\n').slice(0, 12) : [],
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), stack: [] };
}

async function finish(message, exitCode) {
  if (reported) return;
  reported = true;
  await send(message);
  process.exit(exitCode);
}

function resolveHandler(module, handlerName) {
  // Accept both an export name (`handler`) and Lambda's `file.export` form (`index.handler`).
  const exportName = handlerName.includes('.')
    ? handlerName.slice(handlerName.lastIndexOf('.') + 1)
    : handlerName;
  const candidate = module[exportName] ?? module.default?.[exportName];
  return typeof candidate === 'function' ? candidate : undefined;
}

async function init({ bundlePath, handler }) {
  let module;
  try {
    module = await import(pathToFileURL(bundlePath).href);
  } catch (error) {
    await finish({ type: 'init-error', ...errorFields(error, 'Runtime.ImportModuleError') }, 1);
    return;
  }
  handlerFn = resolveHandler(module, handler);
  if (!handlerFn) {
    await finish(
      {
        type: 'init-error',
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${basename(bundlePath)}.${handler} is undefined or not exported`,
        stack: [],
      },
      1,
    );
    return;
  }
  await send({ type: 'ready' });
}

async function invoke({ event, context: meta }) {
  const deadline = meta.deadline;
  let settleCallback;
  const callbackResult = new Promise((resolve, reject) => {
    settleCallback = (error, result) => (error ? reject(error) : resolve(result));
  });
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: meta.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: meta.invokedFunctionArn,
    memoryLimitInMB: String(meta.memoryLimitInMB),
    awsRequestId: meta.awsRequestId,
    logGroupName: `/aws/lambda/${meta.functionName}`,
    logStreamName: meta.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error, result) => settleCallback(error, result),
    fail: (error) => settleCallback(error instanceof Error ? error : new Error(String(error))),
    succeed: (result) => settleCallback(undefined, result),
  };
  try {
    const returned =
      handlerFn.length >= 3 ? handlerFn(event, context, settleCallback) : handlerFn(event, context);
    const result =
      returned && typeof returned.then === 'function'
        ? await returned
        : handlerFn.length >= 3
          ? await callbackResult
          : returned;
    await finish({ type: 'result', ok: true, result: result === undefined ? null : result }, 0);
  } catch (error) {
    await finish({ type: 'result', ok: false, ...errorFields(error, 'Error') }, 0);
  }
}

process.on('uncaughtException', (error) => {
  void finish({ type: 'result', ok: false, ...errorFields(error, 'Runtime.UncaughtException') }, 1);
});
process.on('unhandledRejection', (reason) => {
  void finish({ type: 'result', ok: false, ...errorFields(reason, 'Runtime.UnhandledPromiseRejection') }, 1);
});
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'init') void init(message);
  else if (message?.type === 'invoke') void invoke(message);
});
