/**
 * The logger port. Powertools' `Logger`, `console` and pino all satisfy it. Libraries never create
 * a logger of their own beyond {@link defaultLogger}; apps inject one.
 */
export interface RotorLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/** Drops everything: for tests and for callers that want silence. */
export const silentLogger: RotorLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
