import { businessMetrics } from '#shared/config/metric-names.ts';
import { scheduleSurvey, serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { config, visitIntake } from '../lib/compose.ts';
import { httpHandler, json, parseJsonBody, machineCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { count } from '../lib/observability.ts';

const logger = createLogger();

const deps = visitIntake();

export const handler = httpHandler(logger, async (event) => {
  machineCalling(config, event, 'ingest');
  const serviceEvent = parseJsonBody(event, serviceEventSchema);
  const result = await scheduleSurvey(deps, serviceEvent);
  logger.info('service event ingested', { eventId: result.eventId, surveyId: result.survey.id, status: result.survey.status });
  // A repeated eventId answers its first result again, and counts again: the metric is of ingests.
  count(result.survey.status === 'scheduled' ? businessMetrics.surveysScheduled : businessMetrics.surveysSuppressed);
  return json(202, result);
});
