import { actOnAlert, alertActionSchema, visibleAlert } from '#shared/use-cases/manage-alerts.ts';
import { alertStore, clock, config, customerHistory, surveyStore, workQueues } from '../lib/compose.ts';
import { httpHandler, json, parseJsonBody, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, clock, alerts: alertStore(), queues: workQueues(), surveys: surveyStore(), retention: customerHistory() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  const alertId = pathParameter(event, 'id');
  // Who may touch this alert is decided before anything about the request body is said.
  await visibleAlert(deps, identity, alertId);
  const alert = await actOnAlert(deps, identity, alertId, parseJsonBody(event, alertActionSchema));
  logger.info('alert action', { alertId, status: alert.status, departmentId: alert.departmentId });
  return json(200, alert);
});
