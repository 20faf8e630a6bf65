import { elastiCacheEngine } from '@rotor/engine-elasticache';
import { describeEngineConformance } from '@rotor/testkit';
import { type ElastiCacheTarget, startElastiCacheTarget } from './support/elasticache-target.ts';

// The whole conformance suite against the local ElastiCache API (users in the user group of a real TLS cache), once
// per way the function can be told where to log in: each mode finds its caches by other code.

// Default: the caches whose user groups hold the user, as the control plane reports them.
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

// The template's CacheArns (ROTOR_CACHE_ARNS): only these caches, one Describe call each (decision 0094).
describeEngineConformance({
  name: 'elasticache (configured caches, ROTOR_CACHE_ARNS)',
  startTarget: startElastiCacheTarget,
  createEngine: (target: ElastiCacheTarget) =>
    elastiCacheEngine({
      client: target.client,
      initialPollDelayMs: 20,
      retryIntervalMs: 100,
      dataPlane: { caFile: target.caFile, caches: target.cacheArns },
    }),
  policySamples: 10,
});

// A configured endpoint (ROTOR_CACHE_HOST): logins go there, or to a cache holding the user that the secret names.
describeEngineConformance({
  name: 'elasticache (configured host, ROTOR_CACHE_HOST)',
  startTarget: startElastiCacheTarget,
  createEngine: (target: ElastiCacheTarget) =>
    elastiCacheEngine({
      client: target.client,
      initialPollDelayMs: 20,
      retryIntervalMs: 100,
      dataPlane: { caFile: target.caFile, host: '127.0.0.1', port: target.cachePort },
    }),
  policySamples: 10,
});
