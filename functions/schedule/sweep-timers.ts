import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { sweepTimers } from '#shared/use-cases/sweep-timers.ts';
import { clock, timerIndex, workQueues } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { observability } from '../lib/observability.ts';

const logger = createLogger();

const deps = { clock, timers: timerIndex(), queues: workQueues() };

/**
 * Every minute: hands due timers to their queues. SQS keeps what it was given, so in AWS work
 * in flight needs nothing more. The local runtime's queues live in memory; its first tick after
 * a start says `redriveInFlight`, and that sweep re-fires in-flight work as well.
 */
export const handler = middy<ScheduledEvent<{ redriveInFlight?: boolean }>>()
  .use(observability(logger))
  .handler(async (event) => {
    const result = await sweepTimers(deps, { limit: 500, redriveInFlight: event.detail?.redriveInFlight === true });
    if (result.due > 0) logger.info('timers swept', result);
    return result;
  });
