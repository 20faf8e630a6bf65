import type { RotorLogger } from '@rotor/core';
import { describeForScan } from './secret-watch.js';

export type LogLevel = keyof RotorLogger;

export interface CapturedLine {
  level: LogLevel;
  message: string;
  extra: unknown[];
  /** The line as one string: message plus every argument, errors expanded with their stack and causes. */
  text: string;
}

export interface CapturingLogger extends RotorLogger {
  readonly lines: CapturedLine[];
  /** Every captured line, one per row. */
  text(): string;
  clear(): void;
}

/**
 * A {@link RotorLogger} that keeps every line, so a test can assert what was (and was not) logged.
 * Arguments are rendered when logged, so later mutation of an object cannot hide what was printed.
 */
export function createCapturingLogger(): CapturingLogger {
  const lines: CapturedLine[] = [];
  const record =
    (level: LogLevel) =>
    (message: string, ...extra: unknown[]) => {
      const text = [String(message), ...extra.map((item) => describeForScan(item))].join(' ');
      lines.push({ level, message: String(message), extra, text });
    };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    text: () => lines.map((line) => `${line.level} ${line.text}`).join('\n'),
    clear: () => {
      lines.length = 0;
    },
  };
}
