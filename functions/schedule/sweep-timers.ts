import middy from '@middy/core';
import { sweepTimers } from '#shared/use-cases/sweep-timers.ts';
import { clock, timerIndex, workQueues } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { observability } from '../lib/observability.ts';

const logger = createLogger();

const deps = { clock, timers: timerIndex(), queues: workQueues() };
/** The first sweep of a fresh instance also re-drives in-flight timers; repeats are harmless. */
let redriveInFlight = true;

export const handler = middy()
  .use(observability(logger))
  .handler(async () => {
    const result = await sweepTimers(deps, { limit: 500, redriveInFlight });
    redriveInFlight = false;
    if (result.due > 0) logger.info('timers swept', result);
    return result;
  });
