import type { RotorLogger } from './logger.js';

/**
 * The logger used when none is injected: console, with debug lines only when
 * `AWS_LAMBDA_LOG_LEVEL` (or `ROTOR_LOG_LEVEL`) is DEBUG, as Lambda's own runtime does.
 */
export function createDefaultLogger(env: NodeJS.ProcessEnv = process.env): RotorLogger {
  const level = (env.ROTOR_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return {
    // biome-ignore lint/suspicious/noConsole: this file is the console-backed default logger.
    debug: level === 'DEBUG' ? (message, ...extra) => console.debug(message, ...extra) : () => {},
    // biome-ignore lint/suspicious/noConsole: see above.
    info: (message, ...extra) => console.info(message, ...extra),
    // biome-ignore lint/suspicious/noConsole: see above.
    warn: (message, ...extra) => console.warn(message, ...extra),
    // biome-ignore lint/suspicious/noConsole: see above.
    error: (message, ...extra) => console.error(message, ...extra),
  };
}
