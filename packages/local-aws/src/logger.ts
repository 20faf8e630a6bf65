/**
 * The endpoint's logger: structured fields, no console in library code. The CLI passes one that writes
 * to stderr; tests and embedders pass their own or get the silent default.
 */
export interface LocalAwsLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: LocalAwsLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
