import { randomBytes } from 'node:crypto';
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import { SecretWatch } from '../secret-watch.js';
import { CheckContext, describeError } from './check-context.js';
import { CHECK_CAPABILITY, CONFORMANCE_CHECKS, type ConformanceCheck } from './checks.js';
import { capabilitiesOf } from './engine-capabilities.js';
import {
  CAPABILITY_CHECK_IDS,
  type CapabilityCheckId,
  type CheckId,
  CheckNotApplicable,
  type CheckResult,
  type ConformanceTarget,
  type EngineConformanceOptions,
  HOSTILE_CHECK_IDS,
} from './types.js';

const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/** One engine and one started target, shared by the checks of a run. */
export interface ConformanceSession<TSecret extends EngineSecret> {
  readonly engine: RotationEngine<TSecret>;
  readonly target: ConformanceTarget<TSecret>;
  run(id: CheckId): Promise<CheckResult>;
  stop(): Promise<void>;
}

export async function openConformanceSession<
  TSecret extends EngineSecret,
  TTarget extends ConformanceTarget<TSecret> = ConformanceTarget<TSecret>,
>(options: EngineConformanceOptions<TSecret, TTarget>): Promise<ConformanceSession<TSecret>> {
  const target = await options.startTarget();
  let engine: RotationEngine<TSecret>;
  try {
    engine = await options.createEngine(target);
  } catch (error) {
    await target.stop();
    throw error;
  }
  const watch = new SecretWatch();
  if (target.admin) watch.remember(target.admin.value.password, "the admin's password");
  // A fresh tag per session, so two runs against one server never share a user.
  const prefix = `${options.usernamePrefix ?? 'conf'}_${randomBytes(3).toString('hex')}`;
  let counter = 0;
  const names = { prefix, next: () => (counter += 1) };
  return {
    engine,
    target,
    stop: () => target.stop(),
    async run(id) {
      const definition = CONFORMANCE_CHECKS.find((candidate) => candidate.id === id);
      if (!definition) throw new Error(`Unknown conformance check "${id}"`);
      const startedAt = Date.now();
      const base = { id, title: definition.title };
      const skipped = skipReason(definition, engine, options);
      if (skipped.kind === 'skip')
        return { ...base, status: 'skipped', reason: skipped.reason, durationMs: 0 };
      if (skipped.kind === 'missing-opt-out') {
        return { ...base, status: 'failed', reason: skipped.reason, durationMs: 0 };
      }
      const ctx = new CheckContext(engine, target, watch, names);
      try {
        await withTimeout(
          definition.run(ctx, options),
          options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
          id,
        );
        ctx.assertLogsClean();
        return { ...base, status: 'passed', durationMs: Date.now() - startedAt };
      } catch (error) {
        if (error instanceof CheckNotApplicable) {
          return { ...base, status: 'skipped', reason: error.message, durationMs: Date.now() - startedAt };
        }
        const thrown = ctx.lastEngineError;
        const thrownBy = thrown && thrown.error === error ? `engine.${thrown.operation} threw ` : '';
        return {
          ...base,
          status: 'failed',
          reason: watch.scrub(`${thrownBy}${describeError(error)}`),
          error,
          durationMs: Date.now() - startedAt,
        };
      }
    },
  };
}

type SkipDecision =
  | { kind: 'run' }
  | { kind: 'skip'; reason: string }
  | { kind: 'missing-opt-out'; reason: string };

function skipReason<TSecret extends EngineSecret>(
  definition: ConformanceCheck,
  engine: RotationEngine<TSecret>,
  options: { skip?: EngineConformanceOptions<TSecret>['skip'] },
): SkipDecision {
  if ((HOSTILE_CHECK_IDS as readonly string[]).includes(definition.id)) {
    // A hostile check needs what only the engine's test setup can arrange; an author may opt out by name.
    const reason = (options.skip as Record<string, string | undefined> | undefined)?.[definition.id];
    return typeof reason === 'string' && reason.trim().length > 0
      ? { kind: 'skip', reason: `${reason} (opted out by the engine's test wiring)` }
      : { kind: 'run' };
  }
  if (!(CAPABILITY_CHECK_IDS as readonly string[]).includes(definition.id)) return { kind: 'run' };
  const id = definition.id as CapabilityCheckId;
  const { claimed, capability } = CHECK_CAPABILITY[id];
  // A claimed capability is always checked, whatever `skip` says (the opt-outs check reports the conflict).
  if (claimed(capabilitiesOf(engine))) return { kind: 'run' };
  const reason = options.skip?.[id];
  if (typeof reason === 'string' && reason.trim().length > 0) {
    return { kind: 'skip', reason: `${reason} (the engine does not claim ${capability})` };
  }
  return {
    kind: 'missing-opt-out',
    reason: `the engine does not claim ${capability}; say why with skip: { '${id}': '<reason>' }`,
  };
}

async function withTimeout(work: Promise<void>, timeoutMs: number, id: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`check "${id}" did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the conformance checks (all, or `only` these) against a freshly started target and returns one
 * result per check. `describeEngineConformance` wraps the same checks in vitest tests.
 */
export async function runConformanceChecks<
  TSecret extends EngineSecret,
  TTarget extends ConformanceTarget<TSecret> = ConformanceTarget<TSecret>,
>(
  options: EngineConformanceOptions<TSecret, TTarget>,
  selection: { only?: readonly CheckId[] } = {},
): Promise<CheckResult[]> {
  const session = await openConformanceSession(options);
  try {
    const results: CheckResult[] = [];
    for (const definition of CONFORMANCE_CHECKS) {
      if (selection.only && !selection.only.includes(definition.id)) continue;
      results.push(await session.run(definition.id));
    }
    return results;
  } finally {
    await session.stop();
  }
}
