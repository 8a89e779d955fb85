import { businessMetrics } from '#shared/config/metric-names.ts';
import { recordAnswer, responseUpdatedSchema } from '#shared/use-cases/record-answer.ts';
import {
  alertStore,
  clock,
  config,
  responseStore,
  retentionStore,
  streakStore,
  surveyStore,
  workQueues,
} from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { count } from '../lib/observability.ts';
import { sqsHandler } from '../lib/sqs.ts';

const logger = createLogger();

const deps = {
  config,
  clock,
  surveys: surveyStore(),
  responses: responseStore(),
  streaks: streakStore(),
  alerts: alertStore(),
  queues: workQueues(),
  retention: retentionStore(),
};

export const handler = sqsHandler(logger, responseUpdatedSchema, async ({ surveyId }) => {
  const outcome = await recordAnswer(deps, surveyId);
  logger.info('answer recorded', { surveyId, ...outcome });
  // Both happen once per survey: the response is recorded once, and alerts are raised once.
  if (outcome.recorded) count(businessMetrics.answers);
  if (outcome.alerts > 0) count(businessMetrics.detractors);
  count(businessMetrics.alertsRaised, outcome.alerts);
});
