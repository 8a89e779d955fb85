import { identify } from '#shared/use-cases/identity.ts';
import { listAlerts, listAlertsQuerySchema } from '#shared/use-cases/manage-alerts.ts';
import { alertStore, config } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, alerts: alertStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = identify(config.auth.tokens, event.headers.authorization);
  return json(200, await listAlerts(deps, identity, parseQuery(event, listAlertsQuerySchema)));
});
