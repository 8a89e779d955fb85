import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/config/metric-names.ts';

/**
 * X-Ray; off Lambda (the local runtime, tests) it disables itself. Outbound HTTP is not traced:
 * a Slack or Feishu robot's URL path is its credential, and traces would keep it.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

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

/**
 * What every handler wrapper puts around a function: the logger's Lambda context, one X-Ray
 * segment per invocation (responses stay out of traces: they can carry customers' words), and
 * the invocation's business metrics.
 */
export const observability = (logger: Logger) => [
  injectLambdaContext(logger, { resetKeys: true }),
  captureLambdaHandler(tracer, { captureResponse: false }),
  { after: publishMetrics, onError: publishMetrics },
];
