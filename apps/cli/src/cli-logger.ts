import type { RotorLogger } from '@rotor/core';
import type { WaitProgress } from './wait-progress.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/**
 * The CLI's logger: core and engines log through it (already scrubbed of secret values by core's redactor).
 * Lines are indented under the step being printed, or collected for `--json`.
 */
export function createCliLogger(options: {
  write?: ((line: string) => void) | undefined;
  verbose: boolean;
  collect?: LogLine[] | undefined;
  /** Shows the engine's waits at the default level (see wait-progress.ts). */
  progress?: WaitProgress | undefined;
}): RotorLogger {
  const emit = (level: LogLine['level'], message: string) => {
    if (level === 'debug' && !options.verbose) {
      options.progress?.offer(message);
      return;
    }
    options.collect?.push({ level, message });
    options.progress?.clear();
    options.write?.(`    ${level === 'info' ? '' : `${level}: `}${message}\n`);
  };
  return {
    debug: (message) => emit('debug', message),
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    error: (message) => emit('error', message),
  };
}
