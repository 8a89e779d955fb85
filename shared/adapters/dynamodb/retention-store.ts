import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';
import { locales, surveyType } from '#shared/config/schema.ts';
import { type Cohort, cohortGroup, horizonView, returnMarker } from '#shared/domain/retention.ts';
import { type Segment, segmentMoveCounters, segmentMovesView, segmentShard, segments, segmentView } from '#shared/domain/rfm.ts';
import type { Timer } from '#shared/domain/records.ts';
import type { CustomerHistory, CustomerTimerAction, RetentionStore } from '#shared/ports.ts';
import { type DocumentClient, failedConditions, isConditionFailure } from './client.ts';
import { keys, timerAttributeNames, timerAttributes } from './keys.ts';
import { bucketIncrement } from './rollup-store.ts';
import { isLive } from './survey-store.ts';

/** A cohort is kept on the customer's item under its own attribute (no map to create first). */
const COHORT_PREFIX = 'cohort#';
const cohortAttribute = (surveyId: string) => `${COHORT_PREFIX}${surveyId}`;

const cohortSchema = z.object({
  surveyId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
  month: z.string().check(z.regex(/^\d{4}-\d{2}$/)),
  metric: surveyType,
  class: z.string().check(z.minLength(1)),
  visitAt: z.string().check(z.minLength(1)),
  answeredAt: z.string().check(z.minLength(1)),
  recovered: z.optional(z.boolean()),
});

const contactSchema = z.object({
  phoneCipher: z.string().check(z.minLength(1)),
  phoneMasked: z.string().check(z.minLength(1)),
  customerName: z.optional(z.string()),
  storeId: z.string().check(z.minLength(1)),
  serviceType: z.string().check(z.minLength(1)),
  locale: z.optional(z.enum(locales)),
});

const stringsOf = (value: unknown): string[] => (value instanceof Set ? [...value].map(String) : []);

/**
 * Cohort buckets live in the scores table beside the other rollups (family `retention`, one item
 * per store, month, metric, class and horizon); what was counted lives on the customer's history
 * item in the main table. Each count is one transaction over both, conditional on the customer's
 * item, so however often an answer or a visit is redelivered each cohort counts once.
 */
export class DynamoRetentionStore implements RetentionStore {
  /**
   * Without `scoresTable`, only the customer's own item is reachable (history, contact, timer,
   * tasks): what a function bound to the main table alone may use.
   */
  constructor(
    private readonly db: DocumentClient,
    private readonly mainTable: string,
    private readonly scoresTableName?: string,
  ) {}

  private get scoresTable(): string {
    if (!this.scoresTableName) throw new Error('this retention store has no scores table: its counters cannot be written');
    return this.scoresTableName;
  }

  async history(phoneHash: string): Promise<CustomerHistory | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.mainTable, Key: keys.customer(phoneHash), ConsistentRead: true }),
    );
    if (!Item || !isLive(Item)) return undefined;
    const cohorts = Object.entries(Item).flatMap(([name, value]) => {
      if (!name.startsWith(COHORT_PREFIX)) return [];
      const parsed = cohortSchema.safeParse(value);
      // A cohort written by another version of this code is left alone, never fails the customer.
      return parsed.success ? [parsed.data as Cohort] : [];
    });
    const visits = stringsOf(Item.visitLog);
    const segment = segments.find((s) => s === Item.segment);
    return {
      visits,
      cohorts,
      counted: new Set(stringsOf(Item.returnsCounted)),
      value: { visits: Number(Item.visits ?? 0), spend: Number(Item.spend ?? 0), lastVisitAt: [...visits].sort().at(-1) },
      segment,
      contact: contactSchema.safeParse(Item.contact).data,
      timer:
        (Item.timerAction === 'at_risk' || Item.timerAction === 'recency') && typeof Item.timerAt === 'string'
          ? { action: Item.timerAction, at: Item.timerAt }
          : undefined,
      openTaskId: typeof Item.openTaskId === 'string' ? Item.openTaskId : undefined,
      lastTask:
        typeof Item.lastTaskId === 'string' && typeof Item.lastTaskAt === 'string'
          ? { id: Item.lastTaskId, raisedAt: Item.lastTaskAt }
          : undefined,
    };
  }

  async setTimer(phoneHash: string, timer: Timer<CustomerTimerAction> | null): Promise<void> {
    const attributes = timer ? timerAttributes('customer', phoneHash, timer) : undefined;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          // The `due` index tells a customer's timer from a survey's by its type, and names it by its id.
          UpdateExpression: attributes
            ? 'SET #type = :type, id = :id, timerAction = :action, timerAt = :at, duePk = :pk, dueSk = :sk'
            : `REMOVE ${timerAttributeNames.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ...(attributes
            ? {
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':type': 'customer',
                  ':id': phoneHash,
                  ':action': attributes.timerAction,
                  ':at': attributes.timerAt,
                  ':pk': attributes.duePk,
                  ':sk': attributes.dueSk,
                },
              }
            : {}),
        }),
      );
    } catch (error) {
      // No history (it expired meanwhile): nothing to time.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async openTask(phoneHash: string, task: { id: string; raisedAt: string }, timerAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          UpdateExpression: `SET openTaskId = :id, lastTaskId = :id, lastTaskAt = :raisedAt REMOVE ${timerAttributeNames.join(', ')}`,
          ConditionExpression: 'timerAction = :action AND timerAt = :at AND attribute_not_exists(openTaskId)',
          ExpressionAttributeValues: { ':id': task.id, ':raisedAt': task.raisedAt, ':action': 'at_risk', ':at': timerAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async closeTask(phoneHash: string, taskId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          UpdateExpression: 'REMOVE openTaskId',
          ConditionExpression: 'openTaskId = :id',
          ExpressionAttributeValues: { ':id': taskId },
        }),
      );
    } catch (error) {
      // Closed already (a retry, or the customer came back first).
      if (!isConditionFailure(error)) throw error;
    }
  }

  async addCohort(phoneHash: string, cohort: Cohort, horizons: readonly number[]): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          UpdateExpression: 'SET #c = :cohort',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#c)',
          ExpressionAttributeNames: { '#c': cohortAttribute(cohort.surveyId) },
          ExpressionAttributeValues: { ':cohort': cohort },
        },
      },
      ...horizons.map((h) => this.bucketAdd(cohort, h, { surveyed: 1 })),
    ]);
  }

  async countReturn(phoneHash: string, cohort: Cohort, horizonDays: number): Promise<boolean> {
    const recovered = cohort.recovered === true;
    return this.transact([
      {
        Update: {
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          UpdateExpression: 'ADD returnsCounted :marker',
          // The cohort's recovery as it was read: a recovery marked meanwhile is counted by markRecovered instead.
          ConditionExpression: `attribute_exists(#c) AND NOT contains(returnsCounted, :m) AND ${
            recovered ? '#c.#r = :true' : 'attribute_not_exists(#c.#r)'
          }`,
          ExpressionAttributeNames: { '#c': cohortAttribute(cohort.surveyId), '#r': 'recovered' },
          ExpressionAttributeValues: {
            ':marker': new Set([returnMarker(cohort.surveyId, horizonDays)]),
            ':m': returnMarker(cohort.surveyId, horizonDays),
            ...(recovered ? { ':true': true } : {}),
          },
        },
      },
      this.bucketAdd(cohort, horizonDays, { returned: 1, ...(recovered ? { returnedRecovered: 1 } : {}) }),
    ]);
  }

  async markRecovered(
    phoneHash: string,
    cohort: Cohort,
    countedHorizons: readonly number[],
    horizons: readonly number[],
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':true': true };
    const returns = horizons.map((h, i) => {
      values[`:m${i}`] = returnMarker(cohort.surveyId, h);
      return countedHorizons.includes(h) ? `contains(returnsCounted, :m${i})` : `NOT contains(returnsCounted, :m${i})`;
    });
    return this.transact([
      {
        Update: {
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          UpdateExpression: 'SET #c.#r = :true',
          ConditionExpression: ['attribute_exists(#c)', 'attribute_not_exists(#c.#r)', ...returns].join(' AND '),
          ExpressionAttributeNames: { '#c': cohortAttribute(cohort.surveyId), '#r': 'recovered' },
          ExpressionAttributeValues: values,
        },
      },
      ...horizons.map((h) =>
        this.bucketAdd(cohort, h, { recovered: 1, ...(countedHorizons.includes(h) ? { returnedRecovered: 1 } : {}) }),
      ),
    ]);
  }

  async moveSegment(phoneHash: string, from: Segment | undefined, to: Segment, month: string): Promise<boolean> {
    const shard = segmentShard(phoneHash);
    const key = {
      family: 'retention',
      granularity: 'month',
      view: segmentView(shard),
      period: 'all',
      group: 'customers',
    } as const;
    const moves = { ...key, view: segmentMovesView(shard), period: month };
    return this.transact([
      {
        Update: {
          TableName: this.mainTable,
          Key: keys.customer(phoneHash),
          // SEGMENT is one of DynamoDB's reserved words.
          UpdateExpression: 'SET #segment = :to',
          ConditionExpression: `attribute_exists(pk) AND ${from ? '#segment = :from' : 'attribute_not_exists(#segment)'}`,
          ExpressionAttributeNames: { '#segment': 'segment' },
          ExpressionAttributeValues: { ':to': to, ...(from ? { ':from': from } : {}) },
        },
      },
      { Update: bucketIncrement(this.scoresTable, { key, counters: { [to]: 1, ...(from ? { [from]: -1 } : {}) } }) },
      { Update: bucketIncrement(this.scoresTable, { key: moves, counters: segmentMoveCounters(from, to) }) },
    ]);
  }

  /** One cohort bucket's increment (the same item shape as every rollup bucket). */
  private bucketAdd(cohort: Cohort, horizonDays: number, counters: Record<string, number>) {
    const key = {
      family: 'retention',
      granularity: 'month',
      view: horizonView(horizonDays),
      period: cohort.month,
      group: cohortGroup(cohort),
    } as const;
    return { Update: bucketIncrement(this.scoresTable, { key, counters }) };
  }

  /** False when the customer's condition failed: counted already, or changed since it was read. */
  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>) {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0]) return false;
      throw error;
    }
  }
}
