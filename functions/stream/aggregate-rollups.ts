import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { batchIdOf, rollupFactsOf, type StreamChange } from '#shared/adapters/dynamodb/rollup-facts.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { rollupStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { observability } from '../lib/observability.ts';

const logger = createLogger();

const deps = { rollups: rollupStore() };

/**
 * The tables' change streams → rollups. A failure throws, so the event source retries this
 * same batch (no bisecting), which the per-batch markers make safe to apply again.
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(observability(logger))
  .handler(async (event) => {
    const changes: StreamChange[] = event.Records.flatMap((record) =>
      record.eventID && record.eventName && record.dynamodb
        ? [
            {
              eventId: record.eventID,
              eventName: record.eventName,
              // Lambda delivers the stream's own attribute-value JSON, which is what unmarshall reads.
              oldImage: record.dynamodb.OldImage as Record<string, AttributeValue> | undefined,
              newImage: record.dynamodb.NewImage as Record<string, AttributeValue> | undefined,
            },
          ]
        : [],
    );
    const outcome = await aggregateRollups(deps, { id: batchIdOf(changes), facts: changes.flatMap(rollupFactsOf) });
    logger.info('rollups aggregated', { records: changes.length, ...outcome });
  });
