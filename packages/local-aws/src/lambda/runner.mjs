// Runs a rotation function in its own process, the way Lambda runs a bundle in its own sandbox: the parent
// (src/lambda/function-host.ts) sends `init` (load the bundle, like Lambda's init phase), then `invoke` with
// the event and the deadline; this process answers each with one message. With `keepWarm` it waits for the
// next `invoke` (a warm container); otherwise it exits. A crash (uncaught exception, unhandled rejection)
// ends the process, as it ends a Lambda runtime. Plain JavaScript so it runs with a bare `node`, from source
// or from dist.
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

// Output goes to the parent over the IPC channel, in order with the result message, so each invocation's
// record holds everything the function printed before it returned (separate stdout/stderr pipes could be
// read after the result arrived). Output from before this point (runtime startup) still uses the pipes.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    if (process.connected) process.send({ type: 'log', data: text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  };
}

let handlerFn;
/** The invocation in progress: reports once. */
let current;

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

async function initFailed(message) {
  await send(message);
  process.exit(1);
}

/** Reports the invocation's outcome once; exits unless kept warm. */
async function report(invocation, message, exit) {
  if (invocation.reported) return;
  invocation.reported = true;
  await send(message);
  if (exit !== undefined) process.exit(exit);
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
    await initFailed({ type: 'init-error', ...errorFields(error, 'Runtime.ImportModuleError') });
    return;
  }
  handlerFn = resolveHandler(module, handler);
  if (!handlerFn) {
    await initFailed({
      type: 'init-error',
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${basename(bundlePath)}.${handler} is undefined or not exported`,
      stack: [],
    });
    return;
  }
  await send({ type: 'ready' });
}

async function invoke({ event, context: meta, keepWarm }) {
  const invocation = { reported: false };
  current = invocation;
  const exitAfter = keepWarm ? undefined : 0;
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
    await report(
      invocation,
      { type: 'result', ok: true, result: result === undefined ? null : result },
      exitAfter,
    );
  } catch (error) {
    await report(invocation, { type: 'result', ok: false, ...errorFields(error, 'Error') }, exitAfter);
  }
}

async function crash(error, errorType) {
  const message = { type: 'result', ok: false, fatal: true, ...errorFields(error, errorType) };
  if (current && !current.reported) await report(current, message);
  process.exit(1);
}

process.on('uncaughtException', (error) => void crash(error, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (reason) => void crash(reason, 'Runtime.UnhandledPromiseRejection'));
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'init') void init(message);
  else if (message?.type === 'invoke') void invoke(message);
});
