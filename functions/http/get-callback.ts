import { getCallTask } from '#shared/use-cases/call-backs.ts';
import { callTaskStore, config } from '../lib/compose.ts';
import { httpHandler, json, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, calls: callTaskStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  return json(200, await getCallTask(deps, identity, pathParameter(event, 'id')));
});
