import { businessMetrics } from '#shared/config/metric-names.ts';
import { runSurveyTimer, surveyTimerMessageSchema } from '#shared/use-cases/run-survey-timer.ts';
import { clock, config, phoneVault, runtime, smsSender, surveyStore, workQueues } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { count } from '../lib/observability.ts';
import { sqsHandler } from '../lib/sqs.ts';

const logger = createLogger();

const deps = {
  config,
  clock,
  surveys: surveyStore(),
  queues: workQueues(),
  sms: smsSender(),
  vault: phoneVault(),
  publicBaseUrl: runtime.publicBaseUrl,
};

export const handler = sqsHandler(logger, surveyTimerMessageSchema, async (message) => {
  const outcome = await runSurveyTimer(deps, message);
  logger.info('survey timer', { surveyId: message.surveyId, action: message.action, outcome });
  if (outcome === 'sent') count(message.action === 'remind' ? businessMetrics.remindersSent : businessMetrics.surveysSent);
});
