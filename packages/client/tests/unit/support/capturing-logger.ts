import type { RotorLogger } from '@rotor/core';

/** Keeps every log line, so tests can assert what was (and was not) logged. */
export function capturingLogger(): RotorLogger & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, ...extra: unknown[]) => {
      lines.push(`${level} ${message} ${extra.map((e) => JSON.stringify(e)).join(' ')}`);
    };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
