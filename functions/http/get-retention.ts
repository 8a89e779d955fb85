import { queryRetention, retentionQuerySchema } from '#shared/use-cases/query-retention.ts';
import { clock, config, rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { config, clock, rollups: rollupStore() };

/** The CX team's: retention is by store and customer, across departments, so a department head gets 403. */
export const handler = httpHandler(logger, async (event) => {
  personCalling(config, event, 'cx');
  return json(200, await queryRetention(deps, parseQuery(event, retentionQuerySchema)));
});
