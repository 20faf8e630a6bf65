import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PreparedTarget } from './scenario.js';

export interface LoginLoopResult {
  attempts: number;
  /** Logins with AWSCURRENT the server refused, with the version that was current then. */
  refusals: Array<{ at: number; versionId: string }>;
  /** Logins that could not be attempted (the endpoint or the server unreachable): not refusals. */
  unavailable: number;
}

/**
 * A client that follows AWSCURRENT while the case runs: reads it afresh and logs in with a new connection,
 * again and again, until stopped. A refusal is an outage for every client that trusts AWSCURRENT.
 */
export function startLoginLoop(
  client: SecretsManagerClient,
  secretId: string,
  target: Pick<PreparedTarget, 'login'>,
  pauseMs = 20,
): { stop(): Promise<LoginLoopResult> } {
  let running = true;
  const result: LoginLoopResult = { attempts: 0, refusals: [], unavailable: 0 };
  const done = (async () => {
    while (running) {
      try {
        const current = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        const value = JSON.parse(current.SecretString ?? '{}') as { username?: unknown; password?: unknown };
        if (typeof value.username === 'string' && typeof value.password === 'string') {
          result.attempts++;
          if (!(await target.login(value.username, value.password))) {
            result.refusals.push({ at: Date.now(), versionId: current.VersionId ?? '?' });
          }
        }
      } catch {
        result.unavailable++;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}
