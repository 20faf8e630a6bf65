/** The runner's side of a case's control directory (see plan.ts). */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CallEvent,
  CONTROL_FILES,
  type CrashPlan,
  type CrashPoint,
  type DivergedMarker,
  type FiredMarker,
} from './plan.js';

export class CaseControl {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  writePlan(plan: CrashPlan): void {
    writeFileSync(join(this.dir, CONTROL_FILES.plan), JSON.stringify(plan));
  }

  calls(): CallEvent[] {
    const path = join(this.dir, CONTROL_FILES.calls);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as CallEvent);
  }

  fired(): FiredMarker | undefined {
    return this.#read<FiredMarker>(CONTROL_FILES.fired);
  }

  diverged(): DivergedMarker | undefined {
    return this.#read<DivergedMarker>(CONTROL_FILES.diverged);
  }

  signalled(): CrashPoint | undefined {
    return this.#read<CrashPoint>(CONTROL_FILES.signal);
  }

  resume(): void {
    writeFileSync(join(this.dir, CONTROL_FILES.resume), '');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #read<T>(file: string): T | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }
}
