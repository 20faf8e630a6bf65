import {
  type CheckId,
  type CheckResult,
  type EngineConformanceOptions,
  runConformanceChecks,
} from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import {
  type Fault,
  type MemoryEngineOptions,
  type MemorySecret,
  MemoryServer,
  memoryEngine,
  memoryPolicy,
  memoryTarget,
} from './support/memory-engine.ts';

const ALL_CAPABILITIES = { passwordsPerUser: 2, canCloneUsers: true, asyncChanges: true } as const;

function suite(
  engineOptions: MemoryEngineOptions,
  extra: Partial<EngineConformanceOptions<MemorySecret>> = {},
) {
  const server = new MemoryServer();
  const options: EngineConformanceOptions<MemorySecret> = {
    name: `memory${engineOptions.fault ? ` (${engineOptions.fault})` : ''}`,
    createEngine: () => memoryEngine(server, { capabilities: ALL_CAPABILITIES, ...engineOptions }),
    startTarget: async () => memoryTarget(server, { holdable: true }),
    policySamples: 10,
    checkTimeoutMs: 5_000,
    ...extra,
  };
  return { server, options };
}

function byId(results: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((result) => [result.id, result]));
}

function failedIds(results: CheckResult[]): CheckId[] {
  return results.filter((result) => result.status === 'failed').map((result) => result.id);
}

describe('Conformance: the correct in-memory engine', () => {
  it('passes every check when it claims every capability', async () => {
    const results = await runConformanceChecks(suite({}).options);
    expect(failedIds(results)).toEqual([]);
    expect(results.map((result) => result.status)).not.toContain('skipped');
    expect(results).toHaveLength(26);
  });

  it('passes with one password, no clone and synchronous changes when those checks are opted out', async () => {
    const { options } = suite(
      { capabilities: { passwordsPerUser: 1, canCloneUsers: false, asyncChanges: false } },
      {
        skip: {
          clone: 'no clone',
          'wait-abort': 'changes apply at once',
          'rotation-dual-password': 'one password per user',
          'rotation-alternating-users': 'no clone',
        },
      },
    );
    const results = byId(await runConformanceChecks(options));
    expect(Object.values(results).filter((r) => r.status === 'failed')).toEqual([]);
    expect(results.clone).toMatchObject({
      status: 'skipped',
      reason: 'no clone (the engine does not claim canCloneUsers: true)',
    });
    expect(results['rotation-single-user']!.status).toBe('passed');
  });
});

/** Each deliberately broken engine, and the check that must catch it (with words from its message). */
const FAULTS: Array<{
  fault: Fault;
  check: CheckId;
  message: RegExp;
  capabilities?: MemoryEngineOptions['capabilities'];
}> = [
  {
    fault: 'sets-different-password',
    check: 'exact-password',
    message: /checked independently of the engine, but was refused/,
  },
  {
    fault: 'not-idempotent',
    check: 'idempotent',
    message: /setPasswords failed when repeated with the same input: CredentialRejectedError/,
    capabilities: { passwordsPerUser: 1 },
  },
  {
    fault: 'leaks-password-in-error',
    check: 'no-secret-in-errors',
    message: /engine.setPasswords contains secret material \(a wrong password\)/,
  },
  {
    fault: 'leaks-password-in-log',
    check: 'exact-password',
    message: /a debug log line contains secret material \(the original password\)/,
  },
  {
    fault: 'ignores-abort-signal',
    check: 'wait-abort',
    message: /returned normally; it must throw a retryable StepTimeoutError/,
  },
  {
    fault: 'keeps-one-of-two-passwords',
    check: 'previous-password',
    message: /the old password \(passwordsPerUser: 2\).*was refused/,
  },
  {
    fault: 'generic-error-for-missing-user',
    check: 'missing-user',
    message: /should throw a RotationError \(USER_NOT_FOUND\) but threw Error/,
  },
  { fault: 'drops-unknown-secret-fields', check: 'contract', message: /secretSchema drops unknown keys/ },
];

describe('Conformance: deliberately faulty engines fail the suite', () => {
  for (const { fault, check, message, capabilities } of FAULTS) {
    it(`${fault} fails "${check}"`, async () => {
      const { options } = suite(
        { fault, capabilities: { ...ALL_CAPABILITIES, ...capabilities } },
        {
          skip:
            capabilities?.passwordsPerUser === 1 ? { 'rotation-dual-password': 'one password per user' } : {},
        },
      );
      const results = byId(await runConformanceChecks(options));
      expect(results[check]).toMatchObject({ status: 'failed' });
      expect(results[check]!.reason).toMatch(message);
    });
  }

  it('the faulty engines fail nothing unrelated: a leak in an error is reported by the leak check only', async () => {
    const results = await runConformanceChecks(suite({ fault: 'leaks-password-in-error' }).options);
    expect(failedIds(results)).toEqual(['no-secret-in-errors']);
  });

  it('an unexpected engine error is reported with the call that threw it', async () => {
    const server = new MemoryServer();
    const results = await runConformanceChecks(
      {
        ...suite({}).options,
        startTarget: async () => memoryTarget(server, { holdable: true }),
        createEngine: () => {
          const engine = memoryEngine(server, { capabilities: ALL_CAPABILITIES });
          return {
            ...engine,
            async login(request, context) {
              const outcome = await engine.login(request, context);
              if (outcome.status === 'rejected') throw new Error('Connection is closed.');
              return outcome;
            },
          };
        },
      },
      { only: ['exact-password'] },
    );
    expect(results[0]!.reason).toBe('engine.login threw Error: Connection is closed.');
  });

  it('a failure report never contains the leaked password itself', async () => {
    const results = await runConformanceChecks(suite({ fault: 'leaks-password-in-log' }).options);
    const exact = results.find((result) => result.id === 'exact-password')!;
    expect(exact.reason).toContain('[the original password]');
    expect(exact.reason).not.toMatch(/memory\.local.*:[^[\s]{24}/);
  });

  it('an engine that ignores the signal while really waiting is caught even when the first wait would pass', async () => {
    const server = new MemoryServer();
    const results = byId(
      await runConformanceChecks(
        {
          ...suite({}).options,
          createEngine: () => {
            const engine = memoryEngine(server, {
              capabilities: ALL_CAPABILITIES,
              fault: 'ignores-abort-signal',
            });
            const honest = memoryEngine(server, { capabilities: ALL_CAPABILITIES });
            if (!engine.asyncChanges || !honest.asyncChanges)
              throw new Error('the memory engine should wait');
            // Honours an already-aborted signal, then polls without looking at it again.
            return {
              ...engine,
              async waitUntilApplied(input, context) {
                if (context.signal.aborted) return honest.waitUntilApplied(input, context);
                return engine.waitUntilApplied(input, context);
              },
            };
          },
          startTarget: async () => memoryTarget(server, { holdable: true }),
        },
        { only: ['wait-abort'] },
      ),
    );
    expect(results['wait-abort']!.reason).toMatch(
      /during the wait was still waiting 1150 ms later: it ignores the AbortSignal/,
    );
  });

  it('a server that mangles some policy characters fails password-policy and names the suspects', async () => {
    const { server, options } = suite({});
    server.truncateAt = '#';
    const results = byId(
      await runConformanceChecks({ ...options, policySamples: 50 }, { only: ['password-policy'] }),
    );
    expect(results['password-policy']).toMatchObject({ status: 'failed' });
    expect(results['password-policy']!.reason).toMatch(/was set but does not log in/);
  });
});

describe('Conformance: start-up', () => {
  it('starts the target first and hands it to createEngine', async () => {
    const server = new MemoryServer();
    const target = memoryTarget(server, { holdable: true });
    let received: unknown;
    const results = await runConformanceChecks(
      {
        ...suite({}).options,
        startTarget: async () => target,
        createEngine: (started) => {
          received = started;
          return memoryEngine(server, { capabilities: ALL_CAPABILITIES });
        },
      },
      { only: ['exact-password'] },
    );
    expect(received).toBe(target);
    expect(results[0]!.status).toBe('passed');
  });

  it('stops the target when the engine cannot be created, and reports why', async () => {
    const server = new MemoryServer();
    let stopped = false;
    const run = runConformanceChecks({
      ...suite({}).options,
      startTarget: async () => ({
        ...memoryTarget(server),
        stop: async () => {
          stopped = true;
        },
      }),
      createEngine: () => memoryEngine(server, { policy: { ...memoryPolicy, length: 4 } }),
    });
    await expect(run).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(stopped).toBe(true);
  });
});

describe('Conformance: opt-outs', () => {
  it('a claimed capability cannot be opted out: the opt-out fails and the check still runs', async () => {
    const results = byId(
      await runConformanceChecks(suite({}, { skip: { clone: 'we would rather not' } }).options, {
        only: ['opt-outs', 'clone'],
      }),
    );
    expect(results['opt-outs']!.reason).toMatch(
      /"clone" is skipped but the engine claims canCloneUsers: true/,
    );
    expect(results.clone!.status).toBe('passed');
  });

  it('a capability the engine does not claim must be opted out by name, with a reason', async () => {
    const { options } = suite(
      { capabilities: { ...ALL_CAPABILITIES, canCloneUsers: false } },
      { skip: { 'rotation-alternating-users': '  ' } },
    );
    const results = byId(
      await runConformanceChecks(options, { only: ['opt-outs', 'clone', 'rotation-alternating-users'] }),
    );
    expect(results.clone!.reason).toBe(
      "the engine does not claim canCloneUsers: true; say why with skip: { 'clone': '<reason>' }",
    );
    expect(results['opt-outs']!.reason).toMatch(/"rotation-alternating-users" is skipped without a reason/);
    expect(results['rotation-alternating-users']!.status).toBe('failed');
  });

  it('core checks and unknown names cannot be skipped', async () => {
    const skip = {
      'exact-password': 'too strict',
      teleport: 'n/a',
    } as unknown as EngineConformanceOptions<MemorySecret>['skip'];
    const results = byId(
      await runConformanceChecks(suite({}, { skip }).options, { only: ['opt-outs', 'exact-password'] }),
    );
    expect(results['opt-outs']!.reason).toMatch(
      /"exact-password" checks what every engine must do and cannot be skipped/,
    );
    expect(results['opt-outs']!.reason).toMatch(/"teleport" is not a check/);
    expect(results['exact-password']!.status).toBe('passed');
  });
});
