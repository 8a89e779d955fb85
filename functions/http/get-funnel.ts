import { identify } from '#shared/use-cases/identity.ts';
import { funnelQuerySchema, queryFunnel } from '#shared/use-cases/query-funnel.ts';
import { config, rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery } from '../lib/http.ts';

const logger = createLogger();

const deps = { rollups: rollupStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = identify(config.auth.tokens, event.headers.authorization);
  return json(200, await queryFunnel(deps, identity, parseQuery(event, funnelQuerySchema)));
});
