/**
 * The contract between the crash runner and the interceptor inside a function process: a control
 * directory (named by ROTOR_CRASH_CONTROL_DIR in the function's environment) holding the plan, the record
 * of calls, and the markers the interceptor leaves when it acts.
 */
export const CONTROL_DIR_VARIABLE = 'ROTOR_CRASH_CONTROL_DIR';

export const ROTATION_STEP_ORDER = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type CrashStep = (typeof ROTATION_STEP_ORDER)[number];

/** Where a crash happens: just before a call is sent, or as soon as its whole reply has arrived. */
export type CrashPhase = 'before' | 'after';

/**
 * What happens there:
 * - `kill`: the function process is killed with SIGKILL (as a Lambda sandbox dies);
 * - `reset`: that call's connection is destroyed with ECONNRESET (the process lives on);
 * - `halt`: the call is held forever and the runner is signalled (it then kills the whole endpoint);
 * - `pause`: the call is held until the runner says to go on (a test does something meanwhile).
 */
export type CrashAction = 'kill' | 'reset' | 'halt' | 'pause';

/** One call of one step: the n-th distinct call (0-based), identical consecutive requests counted once. */
export interface CallPosition {
  step: CrashStep;
  /** -1: the step's first call with `label`, wherever it comes (for tests that name a call, not a position). */
  index: number;
  /** The call's label in the baseline run; the interceptor acts only when the call it reaches has it too. */
  label: string;
}

export interface CrashPoint extends CallPosition {
  phase: CrashPhase;
  action: CrashAction;
}

export interface CrashPlan {
  /** Acted on once: the first time the rotation reaches it (the marker file keeps it from firing again). */
  point?: CrashPoint;
}

/** One line of `calls.jsonl`: a call was sent, or its reply arrived. */
export interface CallEvent extends CallPosition {
  event: 'request' | 'reply';
  pid: number;
}

/** What the interceptor writes when it acts (`fired.json`) or finds another call where the point was. */
export interface FiredMarker extends CrashPoint {
  pid: number;
  at: number;
}

export interface DivergedMarker {
  expected: CallPosition;
  found: string;
}

export const CONTROL_FILES = {
  plan: 'plan.json',
  calls: 'calls.jsonl',
  fired: 'fired.json',
  diverged: 'diverged.json',
  signal: 'signal.json',
  resume: 'resume',
} as const;
