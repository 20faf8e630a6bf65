/**
 * The Redis and PostgreSQL servers the demo rotates credentials on: throwaway ones started by the harness
 * (free ports, passwords enforced, removed afterwards), or existing ones given by URL.
 */
import { readFileSync } from 'node:fs';
import { MissingBinaryError, startPostgresServer, startRedisServer } from '@rotor/local-aws/harness';

/**
 * The Redis that plays the ElastiCache cache. It speaks TLS: ElastiCache lets users in through user groups
 * only on caches with in-transit encryption (the RBAC guide), and so does the emulator.
 */
export interface RedisTarget {
  host: string;
  port: number;
  /** Admin URL (`rediss://default:...`), for the emulated ElastiCache control plane. */
  url: string;
  /** The certificate that verifies the server (PEM), and a file holding it; undefined: publicly trusted. */
  ca: string | undefined;
  caFile: string | undefined;
  throwaway: boolean;
}

export interface PostgresTarget {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  database: string;
  /** Admin connection string. */
  url: string;
  throwaway: boolean;
}

export interface DemoServers {
  redis: RedisTarget | undefined;
  postgres: PostgresTarget | undefined;
  stop(): Promise<void>;
}

export { MissingBinaryError };

export async function startServers(options: {
  redis: boolean;
  postgres: boolean;
  redisUrl?: string | undefined;
  redisCaFile?: string | undefined;
  postgresUrl?: string | undefined;
}): Promise<DemoServers> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
  try {
    const [redis, postgres] = await Promise.all([
      options.redis ? redisTarget(options.redisUrl, options.redisCaFile, stops) : undefined,
      options.postgres ? postgresTarget(options.postgresUrl, stops) : undefined,
    ]);
    return { redis, postgres, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function redisTarget(
  url: string | undefined,
  caFile: string | undefined,
  stops: Array<() => Promise<void>>,
): Promise<RedisTarget> {
  if (url) {
    let parsed: URL;
    try {
      parsed = parseUrl(url, 'rediss:', '--redis-url');
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ElastiCache users reach a cache only through a user group, and user groups need in-transit encryption, so the demo's Redis must speak TLS`,
      );
    }
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (error) {
        throw new Error(`Cannot read --redis-ca-file ${caFile}: ${(error as Error).message}`);
      }
    }
    return { host: parsed.hostname, port: Number(parsed.port || 6379), url, ca, caFile, throwaway: false };
  }
  const server = await startRedisServer({ tls: true });
  stops.push(() => server.stop());
  return {
    host: server.host,
    port: server.port,
    url: server.url,
    ca: server.tls?.ca,
    caFile: server.tls?.caFile,
    throwaway: true,
  };
}

async function postgresTarget(
  url: string | undefined,
  stops: Array<() => Promise<void>>,
): Promise<PostgresTarget> {
  if (url) {
    const parsed = parseUrl(url, 'postgres:', '--postgres-url', 'postgresql:');
    if (!parsed.username || !parsed.password) {
      throw new Error('--postgres-url needs a superuser and password: postgres://USER:PASSWORD@HOST:PORT/DB');
    }
    return {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      adminUser: decodeURIComponent(parsed.username),
      adminPassword: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
      url,
      throwaway: false,
    };
  }
  const server = await startPostgresServer({ authMethod: 'md5' });
  stops.push(() => server.stop());
  return {
    host: server.host,
    port: server.port,
    adminUser: server.user,
    adminPassword: server.password,
    database: server.database,
    url: server.connectionString(),
    throwaway: true,
  };
}

function parseUrl(url: string, protocol: string, flag: string, altProtocol?: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${flag} is not a URL`);
  }
  if (parsed.protocol !== protocol && parsed.protocol !== altProtocol) {
    throw new Error(`${flag} must start with ${protocol}//`);
  }
  return parsed;
}
