/**
 * The reduced set CI runs. Every scenario and every step is still crashed, at the points where a step's
 * outcome is decided: before its first call and after its last reply (kill -9), around the call that
 * changes the target or the secret (before it with a reset, after its reply with kill -9), and the endpoint
 * killed at the end of setSecret and testSecret.
 */
import type { BaselineCall, CrashCase } from '@rotor/testkit/crash';

export const CRASH_SUBSETS = ['all', 'ci'] as const;
export type CrashSubset = (typeof CRASH_SUBSETS)[number];

/** Calls that change something: the secret's labels or value, a user, a group, a password. */
const CHANGING =
  /PutSecretValue|UpdateSecretVersionStage|Create|Modify|Delete|ALTER|CREATE|GRANT|DROP|REVOKE|ExecuteStatement\((ALTER|CREATE|GRANT)/;

export function selectSubset(
  subset: CrashSubset,
  cases: CrashCase[],
  calls: readonly BaselineCall[],
): CrashCase[] {
  if (subset === 'all') return cases;
  const keep = new Set<string>();
  const key = (step: string, index: number, phase: string, mode: string) =>
    `${step}#${index}/${phase}/${mode}`;
  for (const step of new Set(calls.map((call) => call.step))) {
    const ofStep = calls.filter((call) => call.step === step);
    const first = ofStep[0]!;
    const lastReplied = ofStep.filter((call) => call.replied).at(-1);
    keep.add(key(step, first.index, 'before', 'kill'));
    if (lastReplied) keep.add(key(step, lastReplied.index, 'after', 'kill'));
    for (const call of ofStep.filter((candidate) => CHANGING.test(candidate.label))) {
      keep.add(key(step, call.index, 'before', 'reset'));
      if (call.replied) keep.add(key(step, call.index, 'after', 'kill'));
    }
    if ((step === 'setSecret' || step === 'testSecret') && lastReplied) {
      keep.add(key(step, lastReplied.index, 'after', 'endpoint'));
    }
  }
  return cases.filter((crash) => keep.has(key(crash.step, crash.index, crash.phase, crash.mode)));
}
