/**
 * The interceptor's side of the control directory. Synchronous file I/O on purpose: the plan must be read
 * and a marker written before the next byte moves, and `kill` leaves no later moment to write anything.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CallEvent,
  CONTROL_FILES,
  type CrashPlan,
  type CrashPoint,
  type DivergedMarker,
  type FiredMarker,
} from '../plan.js';

export class InterceptorControl {
  constructor(readonly dir: string) {}

  readPlan(): CrashPlan {
    try {
      return JSON.parse(readFileSync(join(this.dir, CONTROL_FILES.plan), 'utf8')) as CrashPlan;
    } catch {
      return {};
    }
  }

  record(event: CallEvent): void {
    appendFileSync(join(this.dir, CONTROL_FILES.calls), `${JSON.stringify(event)}\n`);
  }

  hasFired(): boolean {
    return existsSync(join(this.dir, CONTROL_FILES.fired));
  }

  /** Claims the point; false when it fired already (in this process or an earlier one). */
  claim(point: CrashPoint): boolean {
    const marker: FiredMarker = { ...point, pid: process.pid, at: Date.now() };
    try {
      writeFileSync(join(this.dir, CONTROL_FILES.fired), JSON.stringify(marker), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }

  diverged(marker: DivergedMarker): void {
    try {
      writeFileSync(join(this.dir, CONTROL_FILES.diverged), JSON.stringify(marker), { flag: 'wx' });
    } catch {
      // The first divergence is the one that matters.
    }
  }

  signal(point: CrashPoint): void {
    writeFileSync(join(this.dir, CONTROL_FILES.signal), JSON.stringify({ ...point, pid: process.pid }));
  }

  resumed(): boolean {
    return existsSync(join(this.dir, CONTROL_FILES.resume));
  }
}
