import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from '#shared/zod.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { observability } from './observability.ts';

export class PoisonMessage extends Error {
  override name = 'PoisonMessage';
}

/** A record's body by its schema, or undefined when it is not JSON or does not match. */
function parse<S extends z.ZodMiniType>(schema: S, record: SQSRecord): z.infer<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function recordHandlerOf<S extends z.ZodMiniType>(
  logger: Logger,
  schema: S,
  handle: (message: z.infer<S>, record: SQSRecord) => Promise<unknown>,
) {
  return async (record: SQSRecord) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new PoisonMessage(`message ${record.messageId} is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new PoisonMessage(`message ${record.messageId} does not match its schema`);
    try {
      return await handle(parsed.data, record);
    } catch (error) {
      logger.warn('record failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error as Error,
      });
      throw error;
    }
  };
}

/**
 * A queue consumer: each record is parsed by its schema and handled on its own; failures
 * are reported per record (partial batch response), so only they come back, and a message
 * that keeps failing ends in the queue's dead-letter queue.
 */
export function sqsHandler<S extends z.ZodMiniType>(
  logger: Logger,
  schema: S,
  handle: (message: z.infer<S>, record: SQSRecord) => Promise<unknown>,
) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = recordHandlerOf(logger, schema, handle);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(observability(logger))
    .handler((event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}

/**
 * sqsHandler for a consumer that does a batch's common case together: `together` runs first over
 * the batch's valid messages, then each record is handled on its own with what it answered (or
 * with nothing, when it failed: then every record goes its own way), and fails alone.
 */
export function sqsBatchHandler<S extends z.ZodMiniType, T>(
  logger: Logger,
  schema: S,
  together: (messages: z.infer<S>[]) => Promise<T>,
  handle: (message: z.infer<S>, together: T | undefined, record: SQSRecord) => Promise<unknown>,
) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(observability(logger))
    .handler(async (event, context) => {
      const messages = event.Records.map((record) => parse(schema, record)).filter((m) => m !== undefined);
      let done: T | undefined;
      try {
        done = await together(messages);
      } catch (error) {
        logger.warn('batch failed together; each record goes its own way', { error: error as Error });
      }
      const recordHandler = recordHandlerOf(logger, schema, (message, record) => handle(message, done, record));
      return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    });
}
