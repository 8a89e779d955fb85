import { businessMetrics } from '#shared/config/metric-names.ts';
import { recordAnswer, recordAnswers, responseUpdatedSchema } from '#shared/use-cases/record-answer.ts';
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
import { sqsBatchHandler } from '../lib/sqs.ts';

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

// A batch's plain answers (an imported history's) are recorded together; every other one on its own.
export const handler = sqsBatchHandler(
  logger,
  responseUpdatedSchema,
  (messages) =>
    recordAnswers(
      deps,
      messages.map((m) => m.surveyId),
    ),
  async ({ surveyId }, together) => {
    // Taken once: the same survey twice in a batch is recorded once, and its second message finds it kept.
    const done = together?.get(surveyId);
    together?.delete(surveyId);
    const outcome = done ?? (await recordAnswer(deps, surveyId));
    logger.info('answer recorded', { surveyId, ...outcome });
    // Both happen once per survey: the response is recorded once, and alerts are raised once.
    if (outcome.recorded) count(businessMetrics.answers);
    if (outcome.alerts > 0) count(businessMetrics.detractors);
    count(businessMetrics.alertsRaised, outcome.alerts);
  },
);
