import { recordAnswer, responseUpdatedSchema } from '#shared/use-cases/record-answer.ts';
import { alertStore, clock, config, responseStore, surveyStore, workQueues } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { sqsHandler } from '../lib/sqs.ts';

const logger = createLogger();

const deps = { config, clock, surveys: surveyStore(), responses: responseStore(), alerts: alertStore(), queues: workQueues() };

export const handler = sqsHandler(logger, responseUpdatedSchema, async ({ surveyId }) => {
  const outcome = await recordAnswer(deps, surveyId);
  logger.info('answer recorded', { surveyId, ...outcome });
});
