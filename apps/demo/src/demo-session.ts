/**
 * A demo session: the servers, the local endpoint with the Lambda bundles registered as rotation functions, and
 * the operator's SDK clients, ready for scenarios. The demo and the bench both start from here.
 */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StrategyId } from '@rotor/core';
import {
  createElastiCacheService,
  createRedshiftControlPlaneServices,
  createRedshiftDataService,
  type LocalAws,
  type LocalService,
  startLocalAws,
} from '@rotor/local-aws';
import type { DemoOptions } from './demo-options.js';
import { type BundledEngine, ensureBundle, snapshotBundle } from './environment/bundles.js';
import { type DemoServers, startServers } from './environment/servers.js';
import {
  associateDemoUserGroup,
  DEMO_CACHE,
  DEMO_USER_GROUP,
  prepareElastiCacheScenario,
} from './scenarios/elasticache.js';
import { DEMO_CLUSTER, prepareRedshiftScenario } from './scenarios/redshift.js';
import {
  type DemoEngine,
  type PreparedScenario,
  type ScenarioEnvironment,
  STRATEGIES_BY_ENGINE,
} from './scenarios/scenario.js';
import { CallCounter } from './workload/api-calls.js';

/** The parts of the demo the bench reuses: everything up to a ready scenario environment. */
export interface DemoSession {
  env: ScenarioEnvironment;
  close(): Promise<void>;
}

export async function openDemoSession(
  options: Pick<
    DemoOptions,
    'engines' | 'redisUrl' | 'redisCaFile' | 'postgresUrl' | 'modifyingDelayMs' | 'rebuild'
  > & {
    /** Replaces the emulated ElastiCache service (the bench wraps it to observe status changes). */
    wrapElastiCache?: (service: LocalService) => LocalService;
  },
  log: (line: string) => void,
): Promise<DemoSession> {
  const wants = new Set(options.engines);
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const servers: DemoServers = await startServers({
      redis: wants.has('elasticache'),
      postgres: wants.has('redshift'),
      redisUrl: options.redisUrl,
      redisCaFile: options.redisCaFile,
      postgresUrl: options.postgresUrl,
    });
    closers.push(() => servers.stop());
    if (servers.redis) {
      log(
        `Redis       ${servers.redis.throwaway ? 'throwaway redis-server' : 'existing server'} on ${servers.redis.host}:${servers.redis.port} (TLS, password enforced), playing ElastiCache replication group ${DEMO_CACHE}`,
      );
    }
    if (servers.postgres) {
      log(
        `PostgreSQL  ${servers.postgres.throwaway ? 'throwaway cluster' : 'existing server'} on ${servers.postgres.host}:${servers.postgres.port} (md5 password auth), standing in for Redshift cluster "${DEMO_CLUSTER}"`,
      );
    }

    // After the servers, so a missing binary is reported before any build runs.
    const bundles: Partial<Record<DemoEngine, string>> = {};
    for (const engine of options.engines) {
      const built = await ensureBundle(engine as BundledEngine, { rebuild: options.rebuild, log });
      const snapshot = await snapshotBundle(built);
      closers.push(() => snapshot.dispose());
      bundles[engine] = snapshot.path;
    }

    const services: LocalService[] = [];
    if (servers.redis) {
      const service = createElastiCacheService({
        redisUrl: servers.redis.url,
        ...(servers.redis.ca ? { redisCa: servers.redis.ca } : {}),
        replicationGroupId: DEMO_CACHE,
        modifyingDelayMs: options.modifyingDelayMs,
      });
      services.push(options.wrapElastiCache ? options.wrapElastiCache(service) : service);
    }
    if (servers.postgres) {
      const clusters = { [DEMO_CLUSTER]: servers.postgres.url };
      // The Data API, and DescribeClusters, from which the functions learn where the cluster is.
      services.push(
        createRedshiftDataService({ clusters }),
        ...createRedshiftControlPlaneServices({ clusters }),
      );
    }
    const aws: LocalAws = await startLocalAws({ services, rotation: { maxAttempts: 3, retryDelayMs: 500 } });
    closers.push(() => aws.stop());
    log(
      `Endpoint    ${aws.endpoint} (Secrets Manager${servers.redis ? ', ElastiCache' : ''}${servers.postgres ? ', Redshift Data' : ''}); rotation functions run from ${Object.values(bundles).length} Lambda bundle(s)`,
    );

    if (servers.redis) {
      // The operator's one-time setup, not counted: the cache's user group, which the scenarios' users join.
      const setup = new ElastiCacheClient({
        endpoint: aws.endpoint,
        region: aws.region,
        credentials: aws.credentials,
      });
      try {
        await associateDemoUserGroup(setup, options.modifyingDelayMs);
      } finally {
        setup.destroy();
      }
      log(`ElastiCache user group ${DEMO_USER_GROUP} (with default) associated with ${DEMO_CACHE}`);
    }

    const counter = new CallCounter();
    const clientConfig = {
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      maxAttempts: 2,
    };
    const clients: Array<{ destroy(): void }> = [];
    closers.push(async () => {
      for (const client of clients) client.destroy();
    });
    const track = <T extends { destroy(): void }>(client: T): T => {
      clients.push(client);
      return counter.watch(client);
    };
    const env: ScenarioEnvironment = {
      aws,
      servers,
      counter,
      secretsManager: track(new SecretsManagerClient(clientConfig)),
      elasticache: servers.redis ? track(new ElastiCacheClient(clientConfig)) : undefined,
      redshiftData: servers.postgres ? track(new RedshiftDataClient(clientConfig)) : undefined,
      bundles,
      newSecretsManagerClient: () => track(new SecretsManagerClient(clientConfig)),
      log,
      modifyingDelayMs: options.modifyingDelayMs,
    };
    return { env, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function scenarioPlan(
  options: Pick<DemoOptions, 'engines' | 'strategies'>,
): Array<[DemoEngine, StrategyId]> {
  return options.engines.flatMap((engine) =>
    STRATEGIES_BY_ENGINE[engine]
      .filter((s) => options.strategies.includes(s))
      .map((s) => [engine, s] as [DemoEngine, StrategyId]),
  );
}

export function prepareScenario(
  env: ScenarioEnvironment,
  engine: DemoEngine,
  strategy: StrategyId,
): Promise<PreparedScenario> {
  return engine === 'elasticache'
    ? prepareElastiCacheScenario(env, strategy)
    : prepareRedshiftScenario(env, strategy);
}
