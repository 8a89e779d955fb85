import { identify } from '#shared/use-cases/identity.ts';
import { integrityQuerySchema, queryIntegrity } from '#shared/use-cases/query-integrity.ts';
import { config, rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, rollups: rollupStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = identify(config.auth.tokens, event.headers.authorization);
  return json(200, await queryIntegrity(deps, identity, parseQuery(event, integrityQuerySchema)));
});
