import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { describeEngineConformance } from '@rotor/testkit';
import { type ElastiCacheTarget, startElastiCacheTarget } from './support/elasticache-target.ts';

// The whole conformance suite against the local ElastiCache API (users in the user group of a real TLS cache).
describeEngineConformance({
  name: 'elasticache (local endpoint on redis-server)',
  startTarget: startElastiCacheTarget,
  createEngine: (target: ElastiCacheTarget) =>
    elastiCacheEngine({
      client: target.client,
      initialPollDelayMs: 20,
      retryIntervalMs: 100,
      dataPlane: { caFile: target.caFile },
    }),
  policySamples: 20,
});
