import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from '#shared/zod.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { observability } from './observability.ts';

export class PoisonMessage extends Error {
  override name = 'PoisonMessage';
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
  const recordHandler = async (record: SQSRecord) => {
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
  return middy<SQSEvent, SQSBatchResponse>()
    .use(observability(logger))
    .handler((event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}
