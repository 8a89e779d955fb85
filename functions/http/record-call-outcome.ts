import { callOutcomeSchema, checkCallTaskAccess, recordCallOutcome, requireCaller } from '#shared/use-cases/call-backs.ts';
import { callTaskStore, clock, config, surveyStore, workQueues } from '../lib/compose.ts';
import { httpHandler, json, parseJsonBody, pathParameter, personCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, clock, calls: callTaskStore(), surveys: surveyStore(), queues: workQueues() };

export const handler = httpHandler(logger, async (event) => {
  const identity = personCalling(config, event, 'cx', 'department');
  // Outside the call-back department (and not cx): refused before the path or the body is read.
  requireCaller(config, identity);
  const taskId = pathParameter(event, 'id');
  // Who may touch this task is decided before anything about the request body is said.
  await checkCallTaskAccess(deps, identity, taskId);
  const task = await recordCallOutcome(deps, identity, taskId, parseJsonBody(event, callOutcomeSchema));
  logger.info('call outcome', { taskId, outcome: task.log.at(-1)?.action, status: task.status, attempts: task.attempts });
  return json(200, task);
});
