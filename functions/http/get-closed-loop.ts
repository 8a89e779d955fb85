import { closedLoopMetrics, closedLoopQuerySchema } from '#shared/use-cases/closed-loop-metrics.ts';
import { identify } from '#shared/use-cases/identity.ts';
import { alertStore, config } from '../lib/compose.ts';
import { httpHandler, json, parseQuery } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();
const deps = { config, alerts: alertStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = identify(config.auth.tokens, event.headers.authorization);
  return json(200, await closedLoopMetrics(deps, identity, parseQuery(event, closedLoopQuerySchema)));
});
