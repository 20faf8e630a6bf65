import { createDefaultLogger, type RotorLogger } from '@rotor/core';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { z } from 'zod';
import { isAuthenticationFailure } from './auth-errors.js';
import { backoffDelay } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import type { CredentialSource } from './credential-source.js';
import type { Credentials } from './credentials.js';

export interface RecoveryOptions {
  /** Attempts in all, the first included. Default 8. */
  maxAttempts?: number | undefined;
  /** Backoff ceiling of the first wait (doubling, full jitter). Default 100 ms. */
  baseDelayMs?: number | undefined;
  /** Largest backoff ceiling. Default 5 s. */
  maxDelayMs?: number | undefined;
  /** No wait starts that would end later than this after the first attempt. Default 20 s. */
  budgetMs?: number | undefined;
  /** Decides which errors are refused logins. Default {@link isAuthenticationFailure}. */
  isAuthenticationFailure?: ((error: unknown) => boolean) | undefined;
  /** Stops waiting (the pending wait rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  clock?: Clock | undefined;
  /** Uniform in [0, 1); for the jitter. */
  random?: (() => number) | undefined;
  logger?: RotorLogger | undefined;
}

const optionsSchema = z.object({
  maxAttempts: z.number().int().min(1).max(100).default(8),
  baseDelayMs: z.number().int().min(0).max(60_000).default(100),
  maxDelayMs: z.number().int().min(0).max(300_000).default(5_000),
  budgetMs: z.number().int().min(0).max(3_600_000).default(20_000),
});

export type ResolvedRecoveryOptions = z.infer<typeof optionsSchema>;

/** Validates recovery options once (drivers call it at construction, not per connection). */
export function resolveRecoveryOptions(options: RecoveryOptions = {}): ResolvedRecoveryOptions {
  const parsed = optionsSchema.safeParse({
    maxAttempts: options.maxAttempts,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
    budgetMs: options.budgetMs,
  });
  if (!parsed.success) {
    throw new InvalidConfigurationError(`Invalid recovery options:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

const usedCredentials = new WeakMap<object, Credentials>();

/**
 * Marks an error with the credentials that produced it, for drivers that choose credentials
 * themselves (a pooled connection may use newer ones than the retry loop handed out).
 */
export function tagCredentials<T>(error: T, credentials: Credentials): T {
  if (typeof error === 'object' && error !== null) usedCredentials.set(error, credentials);
  return error;
}

export function credentialsUsedBy(error: unknown): Credentials | undefined {
  return typeof error === 'object' && error !== null ? usedCredentials.get(error) : undefined;
}

/**
 * Runs `operation` (typically: open a connection) with credentials from `source`, and recovers from
 * refused logins: each refusal triggers a change check of the secret; a changed AWSCURRENT is tried
 * at once, then AWSPENDING (already valid during a single-user rotation, after setSecret); once every
 * candidate has been tried, waits with exponential backoff and full jitter. Attempts and total time
 * are bounded; after that, or when the secret cannot be read, the FIRST refusal is thrown unchanged.
 * Errors that are not refused logins (network, SQL) are thrown at once, with no refresh.
 *
 * @example
 * ```ts
 * const source = credentialSource(createSecretCache(), 'prod/app/db');
 * const client = await withCredentials(source, async ({ username, password }) => {
 *   const c = new pg.Client({ host, user: username, password });
 *   await c.connect();
 *   return c;
 * });
 * ```
 */
export async function withCredentials<T>(
  source: CredentialSource,
  operation: (credentials: Credentials) => Promise<T>,
  options: RecoveryOptions = {},
): Promise<T> {
  const limits = resolveRecoveryOptions(options);
  return runWithCredentials(source, operation, limits, options);
}

/** {@link withCredentials} with options already validated. */
export async function runWithCredentials<T>(
  source: CredentialSource,
  operation: (credentials: Credentials) => Promise<T>,
  limits: ResolvedRecoveryOptions,
  options: RecoveryOptions = {},
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? createDefaultLogger();
  const isAuthFailure = options.isAuthenticationFailure ?? isAuthenticationFailure;
  const startedAt = clock.now();
  const tried = new Set<string>();
  const keyOf = (credentials: Credentials) => `${credentials.stage}:${credentials.versionId}`;

  let credentials = await source.get();
  let firstRefusal: unknown;
  let waits = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await operation(credentials);
      source.recordSuccess(credentials);
      if (attempt > 1) {
        logger.info(
          `Secret ${source.secretId}: logged in as "${credentials.username}" with ${credentials.stage} version ${credentials.versionId} after ${attempt - 1} refused attempt(s)`,
        );
      }
      return result;
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
      firstRefusal ??= error;
      const used = credentialsUsedBy(error) ?? credentials;
      tried.add(keyOf(used));
      logger.info(
        `Secret ${source.secretId}: login as "${used.username}" with ${used.stage} version ${used.versionId} was refused (attempt ${attempt} of ${limits.maxAttempts})`,
      );
      if (attempt >= limits.maxAttempts) {
        logger.warn(`Secret ${source.secretId}: giving up after ${attempt} refused logins`);
        throw firstRefusal;
      }
      let next: Credentials;
      try {
        next = await source.afterAuthFailure(used, (candidate) => tried.has(keyOf(candidate)));
      } catch (refreshError) {
        logger.warn(
          `Secret ${source.secretId}: could not re-read the secret after a refused login: ${errorMessage(refreshError)}`,
        );
        throw firstRefusal;
      }
      if (tried.has(keyOf(next))) {
        const delay = backoffDelay(waits++, limits, random);
        if (clock.now() + delay - startedAt > limits.budgetMs) {
          logger.warn(
            `Secret ${source.secretId}: giving up after ${attempt} refused logins (time budget of ${limits.budgetMs} ms)`,
          );
          throw firstRefusal;
        }
        await clock.sleep(delay, options.signal);
      }
      credentials = next;
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
