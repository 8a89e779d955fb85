import { integrityQuerySchema, queryIntegrity } from '#shared/use-cases/query-integrity.ts';
import { config, rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, rollups: rollupStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await queryIntegrity(deps, identity, parseQuery(event, integrityQuerySchema)));
});
