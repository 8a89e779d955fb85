import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SurveyType } from '#shared/config/schema.ts';
import { type Granularity, granularities, partitionOfPeriod, periodOf } from '#shared/domain/periods.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { type Counters, countersFor } from '#shared/domain/scoring.ts';
import type { RollupQuery, RollupRow, RollupView, ScoreStore } from '#shared/ports.ts';
import { type DocumentClient, failedConditions } from './client.ts';
import { epochSeconds, keys } from './keys.ts';

const DAY_S = 86_400;
const counterNames: (keyof Counters)[] = ['responses', 'promoters', 'passives', 'detractors', 'scoreSum'];

export const rollupKey = (survey: SurveyType, granularity: Granularity, view: string, period: string, group: string) => ({
  pk: `ROLLUP#${survey}#${granularity}#${view}#${partitionOfPeriod(period, granularity)}`,
  sk: `${period}#${group}`,
});

/**
 * Responses and rollups. An answer is recorded in one transaction: the response (only if
 * new), every rollup bucket it adds to, and the survey's `recordedAt`; a repeat cancels
 * the whole transaction, so nothing is counted twice.
 */
export class DynamoScoreStore implements ScoreStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly tables: { scores: string; main: string },
    private readonly retentionDays: number,
  ) {}

  async recordResponse(response: ScoredResponse, views: RollupView[]): Promise<'recorded' | 'duplicate'> {
    const counters = countersFor(response.surveyType, response.score);
    const recordedAt = new Date().toISOString();
    const rollupUpdates = granularities.flatMap((granularity) => {
      const period = periodOf(response.visitDate, granularity);
      return views.map(({ view, group }) => ({
        Update: {
          TableName: this.tables.scores,
          Key: rollupKey(response.surveyType, granularity, view, period, group),
          UpdateExpression: `SET #period = :period, #group = :group ADD ${counterNames.map((c) => `#${c} :${c}`).join(', ')}`,
          ExpressionAttributeNames: {
            '#period': 'period',
            '#group': 'group',
            ...Object.fromEntries(counterNames.map((c) => [`#${c}`, c])),
          },
          ExpressionAttributeValues: {
            ':period': period,
            ':group': group,
            ...Object.fromEntries(counterNames.map((c) => [`:${c}`, counters[c]])),
          },
        },
      }));
    });
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.scores,
                Item: {
                  pk: `RESPONSE#${response.surveyId}`,
                  sk: 'RESPONSE',
                  type: 'response',
                  ...response,
                  recordedAt,
                  expiresAt: epochSeconds(response.answeredAt) + this.retentionDays * DAY_S,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...rollupUpdates,
            {
              Update: {
                TableName: this.tables.main,
                Key: keys.survey(response.surveyId),
                UpdateExpression: 'SET recordedAt = :at',
                ExpressionAttributeValues: { ':at': recordedAt },
              },
            },
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!failedConditions(error)?.[0]) throw error;
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.main,
          Key: keys.survey(response.surveyId),
          UpdateExpression: 'SET recordedAt = if_not_exists(recordedAt, :at)',
          ExpressionAttributeValues: { ':at': recordedAt },
        }),
      );
      return 'duplicate';
    }
  }

  async setComment(surveyId: string, comment: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.scores,
        Key: { pk: `RESPONSE#${surveyId}`, sk: 'RESPONSE' },
        UpdateExpression: 'SET #comment = :comment',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#comment': 'comment' },
        ExpressionAttributeValues: { ':comment': comment },
      }),
    );
  }

  async readRollups(query: RollupQuery): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    await Promise.all(
      query.partitions.map(async (partition) => {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await this.db.send(
            new QueryCommand({
              TableName: this.tables.scores,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': `ROLLUP#${query.survey}#${query.granularity}#${query.view}#${partition}`,
                ':from': `${query.fromPeriod}#`,
                ':to': `${query.toPeriod}#\uffff`,
              },
              ExclusiveStartKey,
            }),
          );
          for (const item of page.Items ?? []) {
            rows.push({
              period: String(item.period),
              group: String(item.group),
              counters: Object.fromEntries(counterNames.map((c) => [c, Number(item[c] ?? 0)])) as unknown as Counters,
            });
          }
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }),
    );
    return rows;
  }
}
