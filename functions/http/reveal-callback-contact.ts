import { requireCaller, revealCallContact } from '#shared/use-cases/call-backs.ts';
import { callTaskStore, clock, config, customerContact, surveyStore } from '../lib/compose.ts';
import { httpHandler, json, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, clock, calls: callTaskStore(), surveys: surveyStore(), contact: customerContact() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  requireCaller(config, identity);
  const taskId = pathParameter(event, 'id');
  const contact = await revealCallContact(deps, identity, taskId);
  // The number is in the answer only: the log says who asked, never what they were told.
  logger.info('phone revealed', { taskId, by: identity.sub });
  return json(200, contact);
});
