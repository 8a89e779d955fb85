import { setTimeout as sleep } from 'node:timers/promises';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Granularity } from '#shared/domain/periods.ts';
import { partitionOfPeriod } from '#shared/domain/periods.ts';
import type { RollupCounters, RollupFamily, RollupIncrement } from '#shared/domain/rollups.ts';
import type { RollupQuery, RollupRow, RollupStore } from '#shared/ports.ts';
import { cancellationCodes, type DocumentClient } from './client.ts';

/** DynamoDB's limit is 100 items a transaction: 99 buckets and the batch's marker. */
const BUCKETS_PER_TRANSACTION = 99;
/** A marker outlives every retry of its batch (a change stream keeps records for 24 hours). */
const MARKER_TTL_S = 3 * 86_400;
const CONFLICT_RETRIES = 5;

export const rollupKey = (family: RollupFamily, granularity: Granularity, view: string, period: string, group: string) => ({
  pk: `ROLLUP#${family}#${granularity}#${view}#${partitionOfPeriod(period, granularity)}`,
  sk: `${period}#${group}`,
});

const reserved = new Set(['pk', 'sk', 'period', 'group', 'expiresAt']);

/** One bucket's increment: its counters added, its period and group kept for reading. */
export function bucketIncrement(table: string, { key, counters }: RollupIncrement) {
  const names: Record<string, string> = { '#period': 'period', '#group': 'group' };
  const values: Record<string, unknown> = { ':period': key.period, ':group': key.group };
  const adds = Object.entries(counters)
    .filter(([name]) => !reserved.has(name))
    .map(([name, n], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = n;
      return `#c${i} :c${i}`;
    });
  return {
    TableName: table,
    Key: rollupKey(key.family, key.granularity, key.view, key.period, key.group),
    UpdateExpression: `SET #period = :period, #group = :group ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Pre-aggregated buckets. A batch of answers is applied as one update per touched bucket, in
 * transactions of up to 99 buckets, each carrying a marker item named after the batch and the
 * chunk: a retried batch finds its marker and skips the chunks it already applied, so every
 * bucket counts each answer exactly once, and no bucket takes more than one write a batch.
 */
export class DynamoRollupStore implements RollupStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async apply(batchId: string, increments: RollupIncrement[]) {
    let applied = 0;
    let alreadyApplied = 0;
    for (let start = 0, chunk = 0; start < increments.length; start += BUCKETS_PER_TRANSACTION, chunk++) {
      const done = await this.applyChunk(`${batchId}#${chunk}`, increments.slice(start, start + BUCKETS_PER_TRANSACTION));
      if (done) applied++;
      else alreadyApplied++;
    }
    return { applied, alreadyApplied };
  }

  /** One transaction: the marker (only if new) and every bucket's increment; false when already applied. */
  private async applyChunk(markerId: string, increments: RollupIncrement[]): Promise<boolean> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + MARKER_TTL_S;
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.table,
            Item: { pk: `BATCH#${markerId}`, sk: 'BATCH', type: 'rollup-batch', expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...increments.map((increment) => ({ Update: bucketIncrement(this.table, increment) })),
      ],
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.send(command);
        return true;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed') return false;
        // Two batches adding to the same bucket at once: one of them waits and tries again.
        if (!codes?.includes('TransactionConflict') || attempt >= CONFLICT_RETRIES) throw error;
        await sleep(20 * 2 ** attempt * (1 + Math.random()));
      }
    }
  }

  async read(query: RollupQuery): Promise<RollupRow[]> {
    const pages = await Promise.all(
      query.partitions.map(async (partition) => {
        const rows: RollupRow[] = [];
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await this.db.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': `ROLLUP#${query.family}#${query.granularity}#${query.view}#${partition}`,
                ':from': `${query.fromPeriod}#`,
                ':to': `${query.toPeriod}#\uffff`,
              },
              ExclusiveStartKey,
            }),
          );
          for (const { pk, sk, period, group, expiresAt, ...rest } of page.Items ?? []) {
            const counters: RollupCounters = {};
            for (const [name, n] of Object.entries(rest)) if (typeof n === 'number') counters[name] = n;
            rows.push({ period: String(period), group: String(group), counters });
          }
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return rows;
      }),
    );
    return pages.flat();
  }
}
