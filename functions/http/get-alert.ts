import { getAlert } from '#shared/use-cases/manage-alerts.ts';
import { alertStore, clock, config, surveyStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, pathParameter, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, clock, alerts: alertStore(), surveys: surveyStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await getAlert(deps, identity, pathParameter(event, 'id')));
});
