import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFunctionHost, type FunctionHost } from '@rotor/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The function runner on its own: bundle formats, handler styles and failures, as Lambda reports them. */
let dir: string;
let host: FunctionHost;

const bundles: Record<string, string> = {
  'esm.mjs': `export const handler = async (event, context) => ({ echo: event, name: context.functionName,
    arn: context.invokedFunctionArn, id: context.awsRequestId, memory: context.memoryLimitInMB,
    leaked: process.env.LEAK_CHECK ?? null, nodeOptions: process.env.NODE_OPTIONS ?? null, tz: process.env.TZ,
    taskRoot: process.env.LAMBDA_TASK_ROOT });
    export const other = async () => 'other';`,
  'cjs.cjs': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { cjs: event.n * 2 }), 10); };`,
  'throws.mjs': `export const handler = async () => { const e = new Error('no such user'); e.name = 'UserNotFoundError'; throw e; };`,
  'counter.mjs': `let calls = 0; export const handler = async () => ({ calls: ++calls, pid: process.pid });`,
  'chatty.mjs': `export const handler = async (event) => { for (let i = 0; i < 50; i++) console.log('line', event.n, i);
    console.error('last', event.n); return event.n; };`,
  'exits.mjs': `export const handler = async () => { process.exit(3); };`,
  'import-error.mjs': `import 'this-package-does-not-exist'; export const handler = async () => 1;`,
  'rejects-later.mjs': `export const handler = async () => { Promise.reject(new Error('dangling')); await new Promise((r) => setTimeout(r, 200)); return 'late'; };`,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-functions-'));
  for (const [file, source] of Object.entries(bundles)) writeFileSync(join(dir, file), source);
  process.env.LEAK_CHECK = 'endpoint-process-secret';
  host = createFunctionHost({
    region: 'eu-west-1',
    accountId: '111122223333',
    endpoint: () => 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
  });
});
afterAll(async () => {
  delete process.env.LEAK_CHECK;
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const register = (name: string, file: string, handler?: string) =>
  host.register({
    functionName: name,
    bundlePath: join(dir, file),
    timeoutSeconds: 5,
    ...(handler ? { handler } : {}),
  });

describe('function host', () => {
  it('runs an ESM bundle with a Lambda-like context and only the Lambda environment', async () => {
    const fn = register('esm-fn', 'esm.mjs');
    expect(fn.functionArn).toBe('arn:aws:lambda:eu-west-1:111122223333:function:esm-fn');
    expect(host.resolve(fn.functionArn)).toBe(fn);
    expect(host.resolve(`${fn.functionArn}:$LATEST`)).toBe(fn);
    expect(host.resolve('arn:aws:lambda:us-east-1:111122223333:function:esm-fn')).toBeUndefined();
    const { record, result } = await host.invoke(fn, { hello: 'world' });
    expect(record.outcome).toBe('succeeded');
    expect(result).toEqual({
      echo: { hello: 'world' },
      name: 'esm-fn',
      arn: fn.functionArn,
      id: record.awsRequestId,
      memory: '128',
      leaked: null,
      nodeOptions: null,
      tz: 'UTC',
      taskRoot: dir,
    });
  });

  it("accepts Lambda's file.export handler form and CommonJS callback handlers", async () => {
    expect((await host.invoke(register('other-fn', 'esm.mjs', 'esm.other'), {})).result).toBe('other');
    expect((await host.invoke(register('cjs-fn', 'cjs.cjs'), { n: 21 })).result).toEqual({ cjs: 42 });
  });

  it('reports a thrown error with its name and message', async () => {
    const { record } = await host.invoke(register('throws-fn', 'throws.mjs'), {});
    expect(record).toMatchObject({
      outcome: 'failed',
      errorType: 'UserNotFoundError',
      errorMessage: 'no such user',
    });
  });

  it('reports a process that exits mid-invocation, a bundle that fails to load and a missing export', async () => {
    const exited = await host.invoke(register('exit-fn', 'exits.mjs'), {});
    expect(exited.record.outcome).toBe('failed');
    expect(exited.record.errorType).toBe('Runtime.ExitError');
    expect(exited.record.errorMessage).toContain('exit status 3');
    const importError = await host.invoke(register('import-fn', 'import-error.mjs'), {});
    expect(importError.record).toMatchObject({ outcome: 'failed', durationMs: 0 });
    expect(importError.record.errorMessage).toContain('this-package-does-not-exist');
    const missing = await host.invoke(register('missing-fn', 'esm.mjs', 'nothing'), {});
    expect(missing.record).toMatchObject({
      outcome: 'failed',
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'esm.mjs.nothing is undefined or not exported',
    });
  });

  it('fails an invocation on an unhandled rejection, as the Node.js Lambda runtime does', async () => {
    const { record } = await host.invoke(register('reject-fn', 'rejects-later.mjs'), {});
    expect(record).toMatchObject({ outcome: 'failed', errorMessage: 'dangling' });
  });

  it('keeps a process warm between invocations (module state survives), or starts a fresh one each time', async () => {
    const warm = register('warm-fn', 'counter.mjs');
    const first = await host.invoke(warm, {});
    const second = await host.invoke(warm, {});
    expect([first.record.coldStart, second.record.coldStart]).toEqual([true, false]);
    expect(second.result).toEqual({ calls: 2, pid: (first.result as { pid: number }).pid });
    const cold = host.register({
      functionName: 'cold-fn',
      bundlePath: join(dir, 'counter.mjs'),
      keepWarm: false,
    });
    const a = await host.invoke(cold, {});
    const b = await host.invoke(cold, {});
    expect([a.record.coldStart, b.record.coldStart]).toEqual([true, true]);
    expect((b.result as { calls: number }).calls).toBe(1);
    expect((a.result as { pid: number }).pid).not.toBe((b.result as { pid: number }).pid);
  });

  it('starts a fresh process after the function is registered again', async () => {
    const before = await host.invoke(register('re-fn', 'counter.mjs'), {});
    const after = await host.invoke(register('re-fn', 'counter.mjs'), {});
    expect(after.record.coldStart).toBe(true);
    expect((after.result as { pid: number }).pid).not.toBe((before.result as { pid: number }).pid);
  });

  it('keeps the warm process after a handled error, but not after a crash', async () => {
    const throwing = register('throws-warm', 'throws.mjs');
    await host.invoke(throwing, {});
    expect((await host.invoke(throwing, {})).record.coldStart).toBe(false);
    const crashing = register('reject-warm', 'rejects-later.mjs');
    await host.invoke(crashing, {});
    const again = await host.invoke(crashing, {});
    expect(again.record).toMatchObject({ coldStart: true, outcome: 'failed', errorMessage: 'dangling' });
  });

  it("keeps each invocation's output with its own record, up to the last line before it returned", async () => {
    const fn = register('chatty-fn', 'chatty.mjs');
    for (let n = 0; n < 10; n++) {
      const { record } = await host.invoke(fn, { n });
      const lines = record.logs.trim().split('\n');
      expect(lines).toHaveLength(51);
      expect(lines[0]).toBe(`line ${n} 0`);
      expect(lines[50]).toBe(`last ${n}`);
    }
  });

  it('loads the test-mode preload module into every function process before the bundle', async () => {
    const preload = join(dir, 'preload.mjs');
    writeFileSync(preload, 'globalThis.preloadedBy = process.env.AWS_LAMBDA_FUNCTION_NAME;');
    writeFileSync(
      join(dir, 'reads-preload.mjs'),
      'export const handler = async () => globalThis.preloadedBy ?? null;',
    );
    const testHost = createFunctionHost({
      region: 'eu-west-1',
      accountId: '111122223333',
      endpoint: () => 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      preloadModule: preload,
    });
    try {
      const fn = testHost.register({ functionName: 'preloaded', bundlePath: join(dir, 'reads-preload.mjs') });
      expect((await testHost.invoke(fn, {})).result).toBe('preloaded');
    } finally {
      await testHost.close();
    }
    // Without the option nothing is injected.
    const plain = register('not-preloaded', 'reads-preload.mjs');
    expect((await host.invoke(plain, {})).result).toBeNull();
    expect(() =>
      createFunctionHost({
        region: 'eu-west-1',
        accountId: '111122223333',
        endpoint: () => 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
        preloadModule: join(dir, 'absent-preload.mjs'),
      }),
    ).toThrow(/does not exist/);
  });

  it('refuses a bad registration', () => {
    expect(() => host.register({ functionName: 'bad name', bundlePath: join(dir, 'esm.mjs') })).toThrow(
      /Invalid function name/,
    );
    expect(() => host.register({ functionName: 'nofile', bundlePath: join(dir, 'absent.mjs') })).toThrow(
      /no bundle/,
    );
    expect(() =>
      host.register({ functionName: 'slow', bundlePath: join(dir, 'esm.mjs'), timeoutSeconds: 901 }),
    ).toThrow(/timeoutSeconds/);
  });
});
