import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createDefaultLogger, type RotorLogger } from '@rotor/core';
import { InvalidConfigurationError, InvalidSecretError, SecretStoreError } from '@rotor/core/errors';
import { z } from 'zod';
import { type Clock, systemClock } from './clock.js';

/** One version of a secret, parsed. Values are immutable per version id, so they are cached by it. */
export interface SecretVersion {
  readonly secretId: string;
  readonly versionId: string;
  /** The secret string parsed as a JSON object (not validated: drivers pick the fields they need). */
  readonly value: Readonly<Record<string, unknown>>;
}

/** What a change check saw: which versions carry AWSCURRENT and AWSPENDING right now. */
export interface SecretState {
  readonly current: SecretVersion;
  /**
   * The AWSPENDING version while a rotation is in progress. Absent when there is none, or when it sits
   * on the AWSCURRENT version (Secrets Manager leaves the label there after a successful rotation).
   */
  readonly pendingVersionId: string | undefined;
  /** `NextRotationDate` in epoch milliseconds, when rotation is scheduled. */
  readonly nextRotationAt: number | undefined;
}

export interface SecretCache {
  /** AWSCURRENT, from the cache while it is fresh; otherwise after a change check (one per secret at a time). */
  getCurrent(secretId: string): Promise<SecretVersion>;
  /**
   * Checks now whether AWSCURRENT moved (DescribeSecret; GetSecretValue only for a version not yet cached).
   * Concurrent calls for one secret share a single check.
   */
  refresh(secretId: string): Promise<SecretState>;
  /** A version by id (cached: a version's value never changes). */
  getVersion(secretId: string, versionId: string): Promise<SecretVersion>;
  /** AWSPENDING when a rotation is in progress: a fresh change check, then the pending value. */
  getPending(secretId: string): Promise<SecretVersion | undefined>;
  /** Forgets one secret (or all): the next read goes to Secrets Manager. */
  invalidate(secretId?: string): void;
}

export interface SecretsManagerConnectionOptions {
  /** A configured client; when absent one is created from `endpoint` / `region` and the default chain. */
  client?: SecretsManagerClient | undefined;
  /** Endpoint override, e.g. a local endpoint `http://127.0.0.1:4566`. */
  endpoint?: string | undefined;
  region?: string | undefined;
}

export interface SecretCacheOptions extends SecretsManagerConnectionOptions {
  /** How long AWSCURRENT is served without a change check. Default 5 minutes; 0 checks on every read. */
  ttlMs?: number | undefined;
  /** Also expire at the secret's NextRotationDate, so the first read after a scheduled rotation checks. */
  refreshAtNextRotation?: boolean | undefined;
  /** After a failed background check, keep serving the cached value for this long before checking again. */
  staleIfErrorMs?: number | undefined;
  clock?: Clock | undefined;
  logger?: RotorLogger | undefined;
}

const optionsSchema = z.object({
  ttlMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3_600_000)
    .default(300_000),
  refreshAtNextRotation: z.boolean().default(false),
  staleIfErrorMs: z.number().int().min(0).max(3_600_000).default(5_000),
});

/** Versions kept per secret: current, pending, and a couple of recent ones. */
const MAX_VERSIONS_PER_SECRET = 4;

interface Entry {
  state: SecretState | undefined;
  /** When `state.current` needs a change check before it is served again. */
  expiresAt: number;
  inflight: Promise<SecretState> | undefined;
  versions: Map<string, SecretVersion>;
}

/**
 * A Secrets Manager cache for clients of rotated secrets, built like AWS's caching clients (Java,
 * Python, Go): a TTL, a change check that costs one DescribeSecret when nothing changed, values read by
 * version id. Added for rotation: one check in flight per secret, AWSPENDING on demand, and an optional
 * expiry at NextRotationDate.
 */
export function createSecretCache(options: SecretCacheOptions = {}): SecretCache {
  const parsed = optionsSchema.safeParse({
    ttlMs: options.ttlMs,
    refreshAtNextRotation: options.refreshAtNextRotation,
    staleIfErrorMs: options.staleIfErrorMs,
  });
  if (!parsed.success) {
    throw new InvalidConfigurationError(`Invalid secret cache options:\n${z.prettifyError(parsed.error)}`);
  }
  const { ttlMs, refreshAtNextRotation, staleIfErrorMs } = parsed.data;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createDefaultLogger();
  let client = options.client;
  const secretsManager = () => {
    client ??= new SecretsManagerClient({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
    });
    return client;
  };
  const entries = new Map<string, Entry>();

  const entryFor = (secretId: string): Entry => {
    let entry = entries.get(secretId);
    if (!entry) {
      entry = { state: undefined, expiresAt: 0, inflight: undefined, versions: new Map() };
      entries.set(secretId, entry);
    }
    return entry;
  };

  const getVersion = async (secretId: string, versionId: string): Promise<SecretVersion> => {
    const entry = entryFor(secretId);
    const cached = entry.versions.get(versionId);
    if (cached) return cached;
    const output = await callSecretsManager('GetSecretValue', secretId, () =>
      secretsManager().send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId })),
    );
    const version: SecretVersion = {
      secretId,
      versionId,
      value: parseSecretString(secretId, versionId, output.SecretString),
    };
    entry.versions.set(versionId, version);
    if (entry.versions.size > MAX_VERSIONS_PER_SECRET) {
      const oldest = entry.versions.keys().next().value;
      if (oldest !== undefined) entry.versions.delete(oldest);
    }
    return version;
  };

  const check = async (secretId: string): Promise<SecretState> => {
    const description = await callSecretsManager('DescribeSecret', secretId, () =>
      secretsManager().send(new DescribeSecretCommand({ SecretId: secretId })),
    );
    const stages = description.VersionIdsToStages ?? {};
    const currentVersionId = Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'));
    if (!currentVersionId) {
      throw new SecretStoreError(`Secret ${secretId} has no AWSCURRENT version`);
    }
    const pendingVersionId = Object.keys(stages).find(
      (id) => id !== currentVersionId && stages[id]?.includes('AWSPENDING'),
    );
    const entry = entryFor(secretId);
    const previousId = entry.state?.current.versionId;
    const current = await getVersion(secretId, currentVersionId);
    if (previousId !== undefined && previousId !== currentVersionId) {
      logger.info(`Secret ${secretId}: AWSCURRENT moved from version ${previousId} to ${currentVersionId}`);
    }
    const state: SecretState = {
      current,
      pendingVersionId,
      nextRotationAt: description.NextRotationDate?.getTime(),
    };
    entry.state = state;
    entry.expiresAt = expiryFor(state);
    return state;
  };

  const expiryFor = (state: SecretState): number => {
    const now = clock.now();
    const byTtl = now + ttlMs;
    const rotation = state.nextRotationAt;
    if (refreshAtNextRotation && rotation !== undefined && rotation > now) return Math.min(byTtl, rotation);
    return byTtl;
  };

  const refresh = (secretId: string): Promise<SecretState> => {
    const entry = entryFor(secretId);
    if (entry.inflight) return entry.inflight;
    const inflight = check(secretId).finally(() => {
      entry.inflight = undefined;
    });
    entry.inflight = inflight;
    return inflight;
  };

  return {
    async getCurrent(secretId) {
      const entry = entryFor(secretId);
      if (entry.state && clock.now() < entry.expiresAt) return entry.state.current;
      if (!entry.state) return (await refresh(secretId)).current;
      try {
        return (await refresh(secretId)).current;
      } catch (error) {
        // A Secrets Manager hiccup must not break connections that still have good credentials.
        logger.warn(
          `Secret ${secretId}: change check failed (${describeError(error)}); serving the cached version for ${staleIfErrorMs} ms`,
        );
        entry.expiresAt = clock.now() + staleIfErrorMs;
        return entry.state.current;
      }
    },
    refresh,
    getVersion,
    async getPending(secretId) {
      const state = await refresh(secretId);
      return state.pendingVersionId === undefined ? undefined : getVersion(secretId, state.pendingVersionId);
    },
    invalidate(secretId) {
      if (secretId === undefined) entries.clear();
      else entries.delete(secretId);
    },
  };
}

/**
 * Parses a SecretString. Never quotes the string or JSON.parse's message (which can echo the input):
 * the text is secret material.
 */
function parseSecretString(
  secretId: string,
  versionId: string,
  secretString: string | undefined,
): Record<string, unknown> {
  if (secretString === undefined) {
    throw new InvalidSecretError(
      `Secret ${secretId} version ${versionId} holds binary data; a JSON SecretString is needed`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new InvalidSecretError(`Secret ${secretId} version ${versionId} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidSecretError(`Secret ${secretId} version ${versionId} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

async function callSecretsManager<T>(
  operation: string,
  secretId: string,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const name = describeError(error);
    // The SDK resolves the region only when it sends; without one no retry can succeed.
    if (status === undefined && /Region is missing/.test(name)) {
      throw new InvalidConfigurationError(
        `${operation} for secret ${secretId}: no AWS region for Secrets Manager (pass region or a configured client in the secret cache options, or set AWS_REGION)`,
        { cause: error },
      );
    }
    const retryable =
      (status !== undefined && status >= 500) || /Throttl|TooManyRequests|InternalServiceError/.test(name);
    // Secrets Manager's messages carry no secret values; the cause keeps the SDK error for debugging.
    throw new SecretStoreError(`${operation} failed for secret ${secretId}: ${name}`, {
      retryable,
      cause: error,
    });
  }
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) {
    const name = String((error as { name: unknown }).name);
    const message = 'message' in error ? String((error as { message: unknown }).message) : '';
    return message && !message.startsWith(name) ? `${name}: ${message}` : name;
  }
  return String(error);
}

let sharedCache: SecretCache | undefined;

/**
 * The process-wide cache used when a driver helper is given neither a cache nor Secrets Manager
 * options: the SDK's default configuration (region and credential chain, and
 * AWS_ENDPOINT_URL_SECRETS_MANAGER for a local endpoint), default TTL.
 */
export function defaultSecretCache(): SecretCache {
  sharedCache ??= createSecretCache();
  return sharedCache;
}

/** The cache a driver helper uses: the given one, one built from the given options, or the shared one. */
export function resolveSecretCache(options: {
  cache?: SecretCache | undefined;
  secretsManager?: SecretCacheOptions | undefined;
  logger?: RotorLogger | undefined;
}): SecretCache {
  if (options.cache) return options.cache;
  if (options.secretsManager) return createSecretCache({ logger: options.logger, ...options.secretsManager });
  return defaultSecretCache();
}
