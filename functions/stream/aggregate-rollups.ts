import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { batchIdOf, rollupFactsOf, type StreamChange, streakAnswerOf } from '#shared/adapters/dynamodb/rollup-facts.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { reviewStreaks, settleStreaks } from '#shared/use-cases/track-streaks.ts';
import { config, responseStore, rollupStore, streakStore } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { observability } from '../lib/observability.ts';

const logger = createLogger();

const deps = { config, rollups: rollupStore(), responses: responseStore(), streaks: streakStore() };

/**
 * The tables' change streams → rollups, and the advisors' streaks decided by answer time. A
 * failure throws, so the event source retries this same batch (no bisecting), which the
 * per-batch markers make safe to apply again.
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
    const streaks = await reviewStreaks(
      deps,
      changes.flatMap((c) => streakAnswerOf(c) ?? []),
    );
    const facts = [...changes.flatMap(rollupFactsOf), ...streaks.facts];
    const outcome = await aggregateRollups(deps, { id: batchIdOf(changes), facts });
    // After the rollups: until the decisions are written down, a retried batch decides the same again.
    await settleStreaks(deps, streaks.decisions);
    logger.info('rollups aggregated', { records: changes.length, streakFlagsChanged: streaks.decisions.length, ...outcome });
  });
