import { closedLoopMetrics, closedLoopQuerySchema } from '#shared/use-cases/closed-loop-metrics.ts';
import { alertStore, config } from '../lib/compose.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();
const deps = { config, alerts: alertStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await closedLoopMetrics(deps, identity, parseQuery(event, closedLoopQuerySchema)));
});
