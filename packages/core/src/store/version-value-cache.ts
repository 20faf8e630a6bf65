/**
 * Secret values by version id, kept for the life of a container (decision 0091). A version's value never
 * changes once written (Secrets Manager refuses PutSecretValue with a used ClientRequestToken and another
 * value), so a value read, or written, by version id can be answered again without a call. Stage labels move,
 * so a lookup by stage is never answered from here.
 *
 * Keyed by the secret id exactly as the caller named it and the version id: the same version id under another
 * secret (ClientRequestTokens are chosen by callers) is a different entry. Bounded, least recently used first
 * out, so a function that rotates many secrets holds only the versions it used last.
 */
export class VersionValueCache {
  readonly #maxEntries: number;
  readonly #values = new Map<string, string>();

  constructor(maxEntries = 64) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError('maxEntries must be a whole number, 0 or more');
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#values.size;
  }

  get(secretId: string, versionId: string): string | undefined {
    const key = cacheKey(secretId, versionId);
    const value = this.#values.get(key);
    if (value === undefined) return undefined;
    // Most recently used last: re-insert.
    this.#values.delete(key);
    this.#values.set(key, value);
    return value;
  }

  set(secretId: string, versionId: string, secretString: string): void {
    if (this.#maxEntries === 0 || secretId === '' || versionId === '') return;
    const key = cacheKey(secretId, versionId);
    this.#values.delete(key);
    this.#values.set(key, secretString);
    while (this.#values.size > this.#maxEntries) {
      const oldest = this.#values.keys().next().value;
      if (oldest === undefined) break;
      this.#values.delete(oldest);
    }
  }

  clear(): void {
    this.#values.clear();
  }
}

// A NUL cannot occur in a secret id or a version id, so the pair maps to one key only.
const cacheKey = (secretId: string, versionId: string) => `${secretId}\u0000${versionId}`;
