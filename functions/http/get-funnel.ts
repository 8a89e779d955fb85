import { funnelQuerySchema, queryFunnel } from '#shared/use-cases/query-funnel.ts';
import { config, rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { rollups: rollupStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await queryFunnel(deps, identity, parseQuery(event, funnelQuerySchema)));
});
