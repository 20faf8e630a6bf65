import type { RotorLogger } from '../logger.js';

const REDACTED = '[REDACTED]';
/** Values shorter than this are not scrubbed (they would mangle ordinary words). Passwords are longer. */
const MIN_SECRET_LENGTH = 6;

/**
 * Remembers every secret value a rotation touches and scrubs it from log lines and errors: a second
 * line of defence behind "never log a password", for messages that come from drivers or servers.
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();

  remember(value: unknown): void {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) this.#secrets.add(value);
  }

  /** Remembers the `password` fields and the whole value of a parsed secret. */
  rememberSecret(secret: Record<string, unknown> | undefined): void {
    if (!secret) return;
    this.remember(secret.password);
  }

  scrub(text: string): string {
    let result = text;
    for (const secret of this.#secrets)
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  }

  scrubValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      this.scrubError(value);
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, this.scrubValue(item, depth + 1)]),
    );
  }

  /** Scrubs an error's message, stack and cause chain in place. */
  scrubError(error: unknown, depth = 0): void {
    if (!(error instanceof Error) || depth > 6) return;
    try {
      error.message = this.scrub(error.message);
      if (error.stack) error.stack = this.scrub(error.stack);
    } catch {
      // Frozen error objects cannot be scrubbed; the logger still scrubs what it prints.
    }
    this.scrubError(error.cause, depth + 1);
  }

  wrap(logger: RotorLogger, persistentKeys: Record<string, unknown>): RotorLogger {
    const emit =
      (level: keyof RotorLogger) =>
      (message: string, ...extra: unknown[]) =>
        logger[level](
          this.scrub(message),
          { ...persistentKeys },
          ...extra.map((item) => this.scrubValue(item)),
        );
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
  }
}
