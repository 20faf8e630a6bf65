import { type Credentials, sameLogin, toCredentials } from './credentials.js';
import type { SecretCache, SecretState } from './secret-cache.js';

/**
 * Chooses the credentials a driver logs in with, for one secret. Shared by every pool, client and
 * connection of that secret, so that what one connection learns (AWSCURRENT moved, AWSPENDING already
 * works) serves all of them.
 */
export interface CredentialSource {
  readonly secretId: string;
  readonly cache: SecretCache;
  /** What to log in with now: AWSCURRENT, or AWSPENDING while it is the one that works (see recordSuccess). */
  get(): Promise<Credentials>;
  /**
   * After `failed` was refused: checks the secret now and returns what to try next, which `get()` then
   * also returns. Preference: a changed AWSCURRENT, then AWSPENDING (read on demand), each only if not
   * `alreadyTried`; when every candidate was tried, one that differs from `failed` if any. Throws when
   * Secrets Manager fails.
   */
  afterAuthFailure(
    failed: Credentials,
    alreadyTried?: (candidate: Credentials) => boolean,
  ): Promise<Credentials>;
  /**
   * Records a successful login. AWSPENDING that works while AWSCURRENT does not (single-user rotation,
   * between setSecret and finishSecret) is served by `get()` until AWSCURRENT moves. (afterAuthFailure
   * already prefers the AWSPENDING it returns; this keeps the preference for callers that skip it.)
   */
  recordSuccess(used: Credentials): void;
}

interface PinnedPending {
  pending: Credentials;
  /** The AWSCURRENT version id when AWSPENDING started working; a new one ends the pin. */
  currentVersionId: string;
}

const sourcesByCache = new WeakMap<SecretCache, Map<string, CredentialSource>>();

/** The credential source of `secretId` over `cache` (one per cache and secret, so state is shared). */
export function credentialSource(cache: SecretCache, secretId: string): CredentialSource {
  let sources = sourcesByCache.get(cache);
  if (!sources) {
    sources = new Map();
    sourcesByCache.set(cache, sources);
  }
  let source = sources.get(secretId);
  if (!source) {
    source = createCredentialSource(cache, secretId);
    sources.set(secretId, source);
  }
  return source;
}

function createCredentialSource(cache: SecretCache, secretId: string): CredentialSource {
  let pinned: PinnedPending | undefined;
  let lastState: SecretState | undefined;

  const loadPending = async (state: SecretState): Promise<Credentials | undefined> => {
    if (state.pendingVersionId === undefined) return undefined;
    try {
      return toCredentials(await cache.getVersion(secretId, state.pendingVersionId), 'AWSPENDING');
    } catch (error) {
      // RotateSecret labels an empty version AWSPENDING before createSecret writes its value.
      if (causeName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };

  const chooseNext = async (
    state: SecretState,
    current: Credentials,
    failed: Credentials,
    alreadyTried: (candidate: Credentials) => boolean,
  ): Promise<Credentials> => {
    if (!sameLogin(current, failed) && !alreadyTried(current)) return current;
    const pending = await loadPending(state);
    if (pending && !sameLogin(pending, failed) && !alreadyTried(pending)) return pending;
    // Everything was tried: alternate, so a rotation that completes meanwhile is picked up.
    if (!sameLogin(current, failed)) return current;
    if (pending && !sameLogin(pending, failed)) return pending;
    return current;
  };

  return {
    secretId,
    cache,

    async get() {
      const current = await cache.getCurrent(secretId);
      if (pinned) {
        if (pinned.currentVersionId === current.versionId) return pinned.pending;
        pinned = undefined;
      }
      return toCredentials(current, 'AWSCURRENT');
    },

    async afterAuthFailure(failed, alreadyTried = () => false) {
      const state = await cache.refresh(secretId);
      lastState = state;
      const current = toCredentials(state.current, 'AWSCURRENT');
      const next = await chooseNext(state, current, failed, alreadyTried);
      // The choice is shared at once: connections that pick credentials themselves (a pool's new
      // clients) read it through get(). A refused pin is dropped by the next failure.
      pinned =
        next.stage === 'AWSPENDING'
          ? { pending: next, currentVersionId: state.current.versionId }
          : undefined;
      return next;
    },

    recordSuccess(used) {
      if (used.stage !== 'AWSPENDING') return;
      const currentVersionId = lastState?.current.versionId;
      if (currentVersionId === undefined || currentVersionId === used.versionId) return;
      pinned = { pending: used, currentVersionId };
    },
  };
}

function causeName(error: unknown): string | undefined {
  const cause = (error as { cause?: { name?: unknown } } | undefined)?.cause;
  return typeof cause?.name === 'string' ? cause.name : undefined;
}
