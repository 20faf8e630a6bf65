import { Metrics } from '@aws-lambda-powertools/metrics';
import { ROTATION_METRICS } from '@rotor/lambda';

/**
 * The function's metrics: one embedded-metric-format line per invocation, namespace Rotor (names and
 * dimensions in @rotor/lambda's rotation-metrics). POWERTOOLS_METRICS_DISABLED=true turns them off.
 */
export const metrics = new Metrics({
  namespace: ROTATION_METRICS.namespace,
  serviceName: 'rotor-elasticache-rotation',
});
