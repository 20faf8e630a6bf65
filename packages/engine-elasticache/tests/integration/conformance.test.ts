import { type ElastiCacheEngineOptions, elastiCacheEngine } from '@rotor/engine-elasticache';
import { describeEngineConformance } from '@rotor/testkit';
import { type ElastiCacheTarget, startElastiCacheTarget } from './support/elasticache-target.ts';

/**
 * The whole conformance suite against the local ElastiCache API (users in the user group of a real TLS cache),
 * once per way the function can be told where to log in: each mode finds its caches by other code.
 */
function describeConformanceIn(
  mode: string,
  dataPlane: (target: ElastiCacheTarget) => ElastiCacheEngineOptions['dataPlane'],
  policySamples: number,
) {
  describeEngineConformance({
    name: `elasticache (${mode})`,
    startTarget: startElastiCacheTarget,
    createEngine: (target: ElastiCacheTarget) =>
      elastiCacheEngine({
        client: target.client,
        initialPollDelayMs: 20,
        retryIntervalMs: 100,
        dataPlane: dataPlane(target),
      }),
    policySamples,
  });
}

// Default: the caches whose user groups hold the user, as the control plane reports them.
describeConformanceIn('local endpoint on redis-server', (target) => ({ caFile: target.caFile }), 20);
// The template's CacheArns (ROTOR_CACHE_ARNS): only these caches, one Describe call each (decision 0094).
describeConformanceIn(
  'configured caches, ROTOR_CACHE_ARNS',
  (target) => ({ caFile: target.caFile, caches: target.cacheArns }),
  10,
);
// A configured endpoint (ROTOR_CACHE_HOST): logins go there, or to a cache holding the user that the secret names.
describeConformanceIn(
  'configured host, ROTOR_CACHE_HOST',
  (target) => ({ caFile: target.caFile, host: '127.0.0.1', port: target.cachePort }),
  10,
);
