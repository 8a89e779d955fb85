import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/config/metric-names.ts';

/*
 * Tracing is Lambda's own active tracing (the stack sets it on every function): each invocation's
 * segment with its initialization, invocation and overhead, and the trace header, which the AWS
 * SDK v3 adds to every request it makes, so a trace follows a message through SQS to its consumer.
 * No X-Ray SDK in the bundle: Powertools' tracer brought aws-xray-sdk-core, semver and cls-hooked
 * (about 120 KB minified, and async hooks at cold start) for a subsegment per AWS call.
 */

/** Business metrics as EMF lines on stdout: CloudWatch turns them into metrics, locally they show in the log. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Counts `value` occurrences of a business event; flushed when the invocation ends. */
export function count(metric: BusinessMetric, value = 1): void {
  if (value > 0) metrics.addMetric(metric, MetricUnit.Count, value);
}

// Powertools' logMetrics middleware warns on every invocation that counted nothing (every read):
// publish only when there is something to publish.
const publishMetrics = () => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};

/** What every handler wrapper puts around a function: the logger's Lambda context and the invocation's business metrics. */
export const observability = (logger: Logger) => [
  injectLambdaContext(logger, { resetKeys: true }),
  { after: publishMetrics, onError: publishMetrics },
];
