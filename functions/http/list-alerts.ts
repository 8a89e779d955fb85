import { listAlerts, listAlertsQuerySchema } from '#shared/use-cases/manage-alerts.ts';
import { alertStore, config } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, alerts: alertStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await listAlerts(deps, identity, parseQuery(event, listAlertsQuerySchema)));
});
