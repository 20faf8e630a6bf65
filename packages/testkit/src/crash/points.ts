/**
 * The crash points of a scenario, enumerated from a baseline run's calls: every distinct call of every
 * step, before it is sent and after its reply, in each mode; and, for the endpoint, the start and the end
 * of each step.
 */
import type { CallEvent, CrashPhase, CrashStep } from './plan.js';
import { ROTATION_STEP_ORDER } from './plan.js';

export const CRASH_MODES = ['kill', 'reset', 'endpoint'] as const;
/** kill -9 of the function, a connection reset, or SIGKILL of the whole endpoint (then a restart). */
export type CrashMode = (typeof CRASH_MODES)[number];

export interface BaselineCall {
  step: CrashStep;
  index: number;
  label: string;
  /** Whether its reply arrived in the baseline (calls without one have no "after" point). */
  replied: boolean;
}

export interface CrashCase {
  scenario: string;
  mode: CrashMode;
  step: CrashStep;
  index: number;
  label: string;
  phase: CrashPhase;
}

/** The distinct calls of a baseline rotation, in order, from the first attempt of each step. */
export function baselineCalls(events: readonly CallEvent[]): BaselineCall[] {
  const calls = new Map<string, BaselineCall>();
  for (const event of events) {
    const key = `${event.step}#${event.index}`;
    if (event.event === 'request' && !calls.has(key)) {
      calls.set(key, { step: event.step, index: event.index, label: event.label, replied: false });
    } else if (event.event === 'reply') {
      const call = calls.get(key);
      if (call && call.label === event.label) call.replied = true;
    }
  }
  return [...calls.values()].sort(
    (a, b) => ROTATION_STEP_ORDER.indexOf(a.step) - ROTATION_STEP_ORDER.indexOf(b.step) || a.index - b.index,
  );
}

export function enumerateCases(
  scenario: string,
  calls: readonly BaselineCall[],
  modes: readonly CrashMode[],
): CrashCase[] {
  const cases: CrashCase[] = [];
  for (const mode of modes) {
    if (mode === 'endpoint') {
      for (const step of ROTATION_STEP_ORDER) {
        const ofStep = calls.filter((call) => call.step === step);
        const first = ofStep[0];
        const lastReplied = ofStep.filter((call) => call.replied).at(-1);
        if (first) cases.push({ scenario, mode, ...position(first), phase: 'before' });
        if (lastReplied) cases.push({ scenario, mode, ...position(lastReplied), phase: 'after' });
      }
      continue;
    }
    for (const call of calls) {
      cases.push({ scenario, mode, ...position(call), phase: 'before' });
      if (call.replied) cases.push({ scenario, mode, ...position(call), phase: 'after' });
    }
  }
  return cases;
}

function position(call: BaselineCall) {
  return { step: call.step, index: call.index, label: call.label };
}

/** `setSecret #3 elasticache ModifyUser, after the reply, kill -9` */
export function describeCase(crash: Pick<CrashCase, 'step' | 'index' | 'label' | 'phase' | 'mode'>): string {
  const mode = {
    kill: 'kill -9 of the function',
    reset: 'connection reset',
    endpoint: 'endpoint SIGKILL + restart',
  }[crash.mode];
  return `${crash.step} #${crash.index} ${crash.label}, ${crash.phase === 'before' ? 'before it is sent' : 'after its reply'}, ${mode}`;
}
