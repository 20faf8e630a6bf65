/**
 * What a secret-reading client costs an application instance (issue 17, target 5), over one hour of
 * SIMULATED time with one single-user rotation in it (the hard case: from setSecret to finishSecret the server
 * accepts only the new password while AWSCURRENT still holds the old one). The application opens a new
 * connection every `connectEveryMs`. Side by side:
 *
 * - `@rotor/client`: its cache (defaults: 5 min TTL, one DescribeSecret per check, values by version id) and
 *   `withCredentials` recovery (a refused login checks the secret and tries AWSPENDING);
 * - a TTL cache of 5 s (Powertools `getSecret`'s default) and of 1 h (AWS's caching clients' default):
 *   GetSecretValue(AWSCURRENT) when expired, no recovery.
 *
 * Nothing waits: the clock is simulated (the client's own `Clock` seam), Secrets Manager is an in-memory fake
 * whose every call costs `secretsManagerRttMs` of simulated latency, a login `loginRttMs`. Counted: Secrets
 * Manager calls, failed connections (the application saw an error), and the latency each connection added
 * beyond its one login.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Clock, createSecretCache, credentialSource, withCredentials } from '@rotor/client';
import { percentile } from '../report/stats.js';

export interface ClientCostOptions {
  hourMs: number;
  connectEveryMs: number;
  /** When setSecret changes the password, and how long until finishSecret moves AWSCURRENT. */
  rotationAtMs: number;
  gapMs: number;
  secretsManagerRttMs: number;
  loginRttMs: number;
}

export interface ClientCostRow {
  client: string;
  connections: number;
  failedConnections: number;
  secretsManagerCalls: number;
  callsPerHour: number;
  addedLatencyMeanMs: number;
  addedLatencyP99Ms: number;
  addedLatencyMaxMs: number;
}

export const DEFAULT_CLIENT_COST_OPTIONS: ClientCostOptions = {
  hourMs: 3_600_000,
  connectEveryMs: 1_000,
  rotationAtMs: 1_800_000,
  gapMs: 3_000,
  secretsManagerRttMs: 15,
  loginRttMs: 1,
};

const SECRET_ID = 'prod/app/db';
const OLD = { id: 'v1', password: 'old-password-000000000' };
const NEW = { id: 'v2', password: 'new-password-111111111' };

class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
}

/** The simulated world: time, the server's password, Secrets Manager's labels. */
function world(options: ClientCostOptions) {
  let now = 0;
  let calls = 0;
  let latency = 0;
  const clock: Clock = {
    now: () => now,
    async sleep(ms) {
      now += ms;
      latency += ms;
    },
  };
  const serverPassword = () => (now >= options.rotationAtMs ? NEW.password : OLD.password);
  const currentVersion = () => (now >= options.rotationAtMs + options.gapMs ? NEW : OLD);
  const pendingVersion = () =>
    now >= options.rotationAtMs - 1_000 && now < options.rotationAtMs + options.gapMs ? NEW : undefined;
  const value = (version: typeof OLD) => JSON.stringify({ username: 'app', password: version.password });
  const spend = (ms: number) => {
    now += ms;
    latency += ms;
  };
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      calls += 1;
      spend(options.secretsManagerRttMs);
      const name = command.constructor.name;
      if (name === 'DescribeSecretCommand') {
        const stages: Record<string, string[]> = { [currentVersion().id]: ['AWSCURRENT'] };
        const pending = pendingVersion();
        if (pending && pending !== currentVersion()) stages[pending.id] = ['AWSPENDING'];
        return { ARN: SECRET_ID, VersionIdsToStages: stages };
      }
      if (name === 'GetSecretValueCommand') {
        const { VersionId, VersionStage } = command.input as { VersionId?: string; VersionStage?: string };
        const version =
          VersionId === NEW.id
            ? NEW
            : VersionId === OLD.id
              ? OLD
              : VersionStage === 'AWSPENDING'
                ? (pendingVersion() ?? OLD)
                : currentVersion();
        return { ARN: SECRET_ID, VersionId: version.id, SecretString: value(version) };
      }
      throw new Error(`unexpected ${name}`);
    },
  } as unknown as SecretsManagerClient;
  const login = async (password: string) => {
    spend(options.loginRttMs);
    if (password !== serverPassword()) throw new AuthFailure('WRONGPASS invalid username-password pair');
  };
  return {
    clock,
    client,
    login,
    currentVersion,
    get now() {
      return now;
    },
    set now(value: number) {
      now = value;
    },
    calls: () => calls,
    takeLatency: () => {
      const spent = latency;
      latency = 0;
      return spent;
    },
  };
}

async function simulate(
  name: string,
  options: ClientCostOptions,
  connect: (w: ReturnType<typeof world>) => Promise<void>,
  w: ReturnType<typeof world>,
): Promise<ClientCostRow> {
  const added: number[] = [];
  let failed = 0;
  let connections = 0;
  for (let at = 0; at < options.hourMs; at += options.connectEveryMs) {
    if (w.now < at) w.now = at;
    w.takeLatency();
    connections += 1;
    try {
      await connect(w);
    } catch {
      failed += 1;
    }
    added.push(w.takeLatency() - options.loginRttMs);
  }
  return {
    client: name,
    connections,
    failedConnections: failed,
    secretsManagerCalls: w.calls(),
    callsPerHour: (w.calls() * 3_600_000) / options.hourMs,
    addedLatencyMeanMs: added.reduce((sum, n) => sum + n, 0) / Math.max(1, added.length),
    addedLatencyP99Ms: percentile(added, 99) ?? 0,
    addedLatencyMaxMs: Math.max(0, ...added),
  };
}

/** A TTL cache of AWSCURRENT without recovery (what Powertools' getSecret and AWS's caching clients do). */
function ttlClient(ttlMs: number) {
  let cached: { password: string; at: number } | undefined;
  return async (w: ReturnType<typeof world>) => {
    if (!cached || w.now - cached.at >= ttlMs) {
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const output = (await w.client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }))) as {
        SecretString: string;
      };
      cached = { password: JSON.parse(output.SecretString).password, at: w.now };
    }
    await w.login(cached.password);
  };
}

export async function measureClientCost(
  options: ClientCostOptions = DEFAULT_CLIENT_COST_OPTIONS,
): Promise<ClientCostRow[]> {
  const rows: ClientCostRow[] = [];
  {
    const w = world(options);
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const cache = createSecretCache({ client: w.client, clock: w.clock, logger: silent });
    const source = credentialSource(cache, SECRET_ID);
    rows.push(
      await simulate(
        '@rotor/client (5 min TTL + recovery)',
        options,
        (sim) =>
          withCredentials(source, (credentials) => sim.login(credentials.password), {
            clock: sim.clock,
            isAuthenticationFailure: (error) => error instanceof AuthFailure,
            random: () => 0.5,
            logger: silent,
          }),
        w,
      ),
    );
  }
  for (const [label, ttl] of [
    ['TTL cache 5 s (Powertools getSecret default)', 5_000],
    ['TTL cache 1 h (AWS caching clients default)', 3_600_000],
  ] as const) {
    const w = world(options);
    rows.push(await simulate(label, options, ttlClient(ttl), w));
  }
  return rows;
}
