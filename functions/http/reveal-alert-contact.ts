import { revealContact } from '#shared/use-cases/reveal-contact.ts';
import { alertStore, clock, config, customerContact } from '../lib/compose.ts';
import { httpHandler, json, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, clock, alerts: alertStore(), contact: customerContact() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  const alertId = pathParameter(event, 'id');
  const contact = await revealContact(deps, identity, alertId);
  // The number is in the answer only: the log says who asked, never what they were told.
  logger.info('phone revealed', { alertId, by: identity.sub });
  return json(200, contact);
});
