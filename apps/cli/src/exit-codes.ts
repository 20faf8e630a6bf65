/**
 * The exit codes `rotor` uses, the same for every command, so scripts can branch on them.
 */
export const EXIT_CODES = {
  /** The command did what was asked and found nothing wrong. */
  ok: 0,
  /** A call or a rotation step failed (AWS error, engine error, secret not found...). */
  failure: 1,
  /** The command line is wrong: unknown command or option, missing argument, bad value. */
  usage: 2,
  /** The command ran, and found a problem: a stuck rotation (status) or a failing check (doctor). */
  unhealthy: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Raised for a bad command line detected after parsing (a value commander cannot check). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
