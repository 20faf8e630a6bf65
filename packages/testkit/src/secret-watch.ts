/**
 * Finds secret material in text, log lines and errors. Reports name the secret by its label
 * ("the new password"), never by its value, so a failing test does not leak it either.
 */
export class SecretWatch {
  readonly #secrets = new Map<string, string>();

  /** Remembers a value to look for. Values shorter than 6 characters are ignored: they match ordinary words. */
  remember(value: unknown, label: string): void {
    if (typeof value === 'string' && value.length >= 6 && !this.#secrets.has(value)) {
      this.#secrets.set(value, label);
    }
  }

  /** Labels of the remembered secrets that appear in `text`. */
  findIn(text: string): string[] {
    const found: string[] = [];
    for (const [value, label] of this.#secrets) if (text.includes(value)) found.push(label);
    return found;
  }

  /** `text` with every remembered secret replaced by `[its label]`. */
  scrub(text: string): string {
    let result = text;
    for (const [value, label] of this.#secrets) result = result.split(value).join(`[${label}]`);
    return result;
  }

  /** Labels of the remembered secrets in anything: an error (message, stack, causes, fields), an object, a string. */
  findInValue(value: unknown): string[] {
    return this.findIn(describeForScan(value));
  }
}

/**
 * Renders a value as text for scanning: strings as they are, errors with name, message, stack, own
 * fields and cause chain, objects and arrays as JSON-like text. Handles cycles and deep nesting.
 */
export function describeForScan(value: unknown, depth = 0, seen = new WeakSet<object>()): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') {
    return typeof value === 'function' ? '[function]' : String(value);
  }
  if (depth > 8 || seen.has(value)) return '[...]';
  seen.add(value);
  if (value instanceof Error) {
    const fields = Object.entries(value)
      .map(([key, item]) => `${key}=${describeForScan(item, depth + 1, seen)}`)
      .join(' ');
    const cause = value.cause === undefined ? '' : ` cause: ${describeForScan(value.cause, depth + 1, seen)}`;
    return `${value.name}: ${value.message} ${fields} ${value.stack ?? ''}${cause}`;
  }
  if (Array.isArray(value))
    return `[${value.map((item) => describeForScan(item, depth + 1, seen)).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${key}: ${describeForScan(item, depth + 1, seen)}`)
    .join(', ')}}`;
}
