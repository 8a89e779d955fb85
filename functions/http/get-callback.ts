import { getCallTask, requireCaller } from '#shared/use-cases/call-backs.ts';
import { callTaskStore, config } from '../lib/compose.ts';
import { httpHandler, json, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, calls: callTaskStore() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  // Outside the call-back department (and not cx): refused before the path is read.
  requireCaller(config, identity);
  return json(200, await getCallTask(deps, identity, pathParameter(event, 'id')));
});
