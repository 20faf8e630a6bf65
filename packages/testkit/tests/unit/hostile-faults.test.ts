import { type CheckId, runConformanceChecks } from '@rotor/testkit';
import { describe, expect, it } from 'vitest';
import { type Fault, MemoryServer, memoryEngine, memoryTarget } from './support/memory-engine.ts';

/** Each hostile check against an engine with exactly the bug it exists to catch (issue 19). */
const FAULTS: Array<{ fault: Fault; check: CheckId; message: RegExp }> = [
  { fault: 'garbles-non-ascii-passwords', check: 'bad-passwords', message: /locked out/ },
  {
    fault: 'garbles-non-ascii-passwords',
    check: 'staged-bad-password',
    message: /password the server refuses/,
  },
  { fault: 'unreachable-as-rejected', check: 'target-down', message: /should have failed but succeeded/ },
  {
    fault: 'busy-as-credential-error',
    check: 'target-busy',
    message: /should throw ENGINE_UNAVAILABLE but threw/,
  },
  { fault: 'admin-anywhere', check: 'admin-elsewhere', message: /another server should have failed/ },
  { fault: 'clone-without-rollback', check: 'clone-halfway', message: /should be refused.*but was accepted/ },
  { fault: 'others-may-change', check: 'other-users-principal', message: /should have failed but succeeded/ },
  { fault: 'drops-extra-passwords', check: 'extra-passwords', message: /should have failed but succeeded/ },
  { fault: 'trusts-any-certificate', check: 'untrusted-tls', message: /should have failed but succeeded/ },
  {
    fault: 'untrusted-failure-retried',
    check: 'untrusted-tls',
    message: /should throw a non-retryable error, but ENGINE_FAILED came with retryable: true/,
  },
  { fault: 'strips-quotes-in-names', check: 'hostile-usernames', message: /double quote/ },
  {
    fault: 'ignores-managed-admin-tags',
    check: 'managed-admin',
    message: /tagged with a resource of another account should have failed but succeeded/,
  },
  {
    fault: 'accepts-foreign-arns',
    check: 'managed-admin',
    message: /another account: the engine made 1 control-plane request\(s\)/,
  },
  {
    fault: 'trusts-managed-location',
    check: 'managed-admin',
    message: /another resource of the function's account should have failed but succeeded/,
  },
  {
    fault: 'reads-tags-always',
    check: 'managed-admin',
    message: /names its server was asked for its tags \(1 time/,
  },
];

describe('the hostile checks catch the bug each exists for', () => {
  for (const { fault, check, message } of FAULTS) {
    it(`${fault} fails "${check}"`, async () => {
      const server = new MemoryServer();
      const options = {
        name: `memory (${fault})`,
        createEngine: () =>
          memoryEngine(server, { capabilities: { passwordsPerUser: 2, canCloneUsers: true }, fault }),
        startTarget: async () => memoryTarget(server),
        checkTimeoutMs: 5_000,
      } as const;
      const [result] = await runConformanceChecks(options, { only: [check] });
      expect(result).toMatchObject({ id: check, status: 'failed' });
      expect(result!.reason).toMatch(message);
      // Negative control: the same check passes against the correct engine.
      const correct = new MemoryServer();
      const [passing] = await runConformanceChecks(
        {
          ...options,
          createEngine: () =>
            memoryEngine(correct, { capabilities: { passwordsPerUser: 2, canCloneUsers: true } }),
          startTarget: async () => memoryTarget(correct),
        },
        { only: [check] },
      );
      expect(passing).toMatchObject({ id: check, status: 'passed' });
    });
  }
});

describe('managed-admin: what the harness must supply, and where it does not apply', () => {
  const run = (server: MemoryServer, target: ReturnType<typeof memoryTarget>, extra: object = {}) =>
    runConformanceChecks(
      {
        name: 'memory',
        createEngine: () => memoryEngine(server),
        startTarget: async () => target,
        checkTimeoutMs: 5_000,
        ...extra,
      },
      { only: ['managed-admin'] },
    );

  it('fails, naming harness.managedAdmin, when the target does not supply it; an opt-out by name skips it', async () => {
    const server = new MemoryServer();
    const target = memoryTarget(server);
    const { managedAdmin: _, ...harness } = target.harness!;
    const [missing] = await run(server, { ...target, harness });
    expect(missing).toMatchObject({ status: 'failed' });
    expect(missing!.reason).toMatch(/harness\.managedAdmin/);
    const [optedOut] = await run(
      server,
      { ...target, harness },
      { skip: { 'managed-admin': 'no control plane here' } },
    );
    expect(optedOut).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^no control plane here/),
    });
  });

  it('fails when the harness gives a managed secret that names a host, or tags naming nothing in scope', async () => {
    const server = new MemoryServer();
    const target = memoryTarget(server);
    const [secret] = target.harness!.managedAdmin!.secrets;
    const withSecret = (changed: object) => ({
      ...target,
      harness: {
        ...target.harness,
        managedAdmin: { ...target.harness!.managedAdmin!, secrets: [{ ...secret!, ...changed }] },
      },
    });
    const [hosted] = await run(server, withSecret({ value: { ...secret!.value, host: 'memory.local' } }));
    expect(hosted!.reason).toMatch(/must name no server \(it has host\)/);
    const [untagged] = await run(server, withSecret({ tags: { team: 'conformance' } }));
    expect(untagged!.reason).toMatch(/must name the target's resource by an ARN in the function's scope/);
  });

  it('reports itself skipped for an engine that changes users through its control plane', async () => {
    const server = new MemoryServer();
    const [result] = await runConformanceChecks(
      {
        name: 'memory (control plane)',
        createEngine: () => memoryEngine(server, { capabilities: { changeAuthority: 'control-plane' } }),
        startTarget: async () => memoryTarget(server),
        checkTimeoutMs: 5_000,
      },
      { only: ['managed-admin'] },
    );
    expect(result).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/applies to engines that change users with credentials/),
    });
  });
});
