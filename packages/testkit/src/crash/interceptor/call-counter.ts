/**
 * Numbers the external calls of the invocation in progress and decides, at each request and each reply,
 * whether the planned crash point has been reached.
 */

import type { CrashPhase, CrashPoint, CrashStep } from '../plan.js';
import { ROTATION_STEP_ORDER } from '../plan.js';
import type { WireRequest } from '../wire/call.js';
import type { InterceptorControl } from './control.js';

export interface TrackedCall {
  step: CrashStep;
  index: number;
  label: string;
  /** A repeat of the previous request (a poll): it shares the previous call's number and is never a point. */
  repeat: boolean;
}

export class CallCounter {
  #step: CrashStep | undefined;
  #secretId: string | undefined;
  #next = 0;
  #lastFingerprint: string | undefined;
  #point: CrashPoint | undefined;

  constructor(private readonly control: InterceptorControl) {}

  /** A new invocation: its step, and the plan as it stands now. */
  startInvocation(event: { Step?: unknown; SecretId?: unknown }): void {
    const step = ROTATION_STEP_ORDER.find((candidate) => candidate === event.Step);
    this.#step = step;
    this.#secretId = typeof event.SecretId === 'string' ? event.SecretId : undefined;
    this.#next = 0;
    this.#lastFingerprint = undefined;
    this.#point = this.control.readPlan().point;
  }

  get rotatedSecretId(): string | undefined {
    return this.#secretId;
  }

  /** A complete request is about to be sent: its number, and the point to act on before sending, if any. */
  request(request: WireRequest): { call: TrackedCall | undefined; act: CrashPoint | undefined } {
    const step = this.#step;
    if (!step) return { call: undefined, act: undefined };
    const repeat = request.fingerprint !== undefined && request.fingerprint === this.#lastFingerprint;
    this.#lastFingerprint = request.fingerprint;
    const call: TrackedCall = {
      step,
      index: repeat ? this.#next - 1 : this.#next++,
      label: request.label,
      repeat,
    };
    if (!repeat)
      this.control.record({ step, index: call.index, label: call.label, event: 'request', pid: process.pid });
    return { call, act: this.#decide(call, 'before') };
  }

  /** The whole reply to `call` has arrived: the point to act on before the function sees it, if any. */
  reply(call: TrackedCall): CrashPoint | undefined {
    if (!call.repeat) {
      this.control.record({
        step: call.step,
        index: call.index,
        label: call.label,
        event: 'reply',
        pid: process.pid,
      });
    }
    return this.#decide(call, 'after');
  }

  #decide(call: TrackedCall, phase: CrashPhase): CrashPoint | undefined {
    const point = this.#point;
    if (!point || call.repeat || point.phase !== phase) return undefined;
    if (point.step !== call.step) return undefined;
    if (point.index < 0 ? point.label !== call.label : point.index !== call.index) return undefined;
    if (this.control.hasFired()) return undefined;
    if (point.label !== call.label) {
      this.control.diverged({ expected: point, found: call.label });
      return undefined;
    }
    if (!this.control.claim(point)) return undefined;
    return point;
  }
}
