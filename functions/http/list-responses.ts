import { listResponses, responsesQuerySchema } from '#shared/use-cases/list-responses.ts';
import { config, responseStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json, parseQuery, personCalling } from '../lib/http.ts';

const logger = createLogger();

const deps = { responses: responseStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await listResponses(deps, identity, parseQuery(event, responsesQuerySchema)));
});
