/**
 * The "naive" client the bench compares against: what a Node application gets from the usual tools (the
 * Powertools Parameters utility's plain 5-second TTL cache of AWSCURRENT): no AWSPENDING, no re-read after a
 * refused login, no retry.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const NAIVE_TTL_MS = 5_000;

export interface NaiveSecretReader {
  read(): Promise<{ username: string; password: string }>;
  close(): void;
}

export function createNaiveSecretReader(
  client: SecretsManagerClient,
  secretId: string,
  ttlMs = NAIVE_TTL_MS,
): NaiveSecretReader {
  let cached: { value: { username: string; password: string }; at: number } | undefined;
  let inflight: Promise<{ username: string; password: string }> | undefined;
  return {
    async read() {
      if (cached && Date.now() - cached.at < ttlMs) return cached.value;
      inflight ??= (async () => {
        try {
          const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
          const parsed = JSON.parse(output.SecretString ?? '{}') as {
            username?: unknown;
            password?: unknown;
          };
          const value = { username: String(parsed.username ?? ''), password: String(parsed.password ?? '') };
          cached = { value, at: Date.now() };
          return value;
        } finally {
          inflight = undefined;
        }
      })();
      return inflight;
    },
    close() {
      client.destroy();
    },
  };
}
