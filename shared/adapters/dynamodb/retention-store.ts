import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';
import { locales, surveyType } from '#shared/config/schema.ts';
import { type Cohort, cohortIncrement, returnIncrement, returnMarker } from '#shared/domain/retention.ts';
import { type Segment, segmentMoveIncrements, segments } from '#shared/domain/rfm.ts';
import type { Timer } from '#shared/domain/records.ts';
import type { RollupIncrement } from '#shared/domain/rollups.ts';
import type { CustomerHistory, CustomerTimerAction, CustomerVisitChange, RetentionStore } from '#shared/ports.ts';
import { batchGetItems, cancellationCodes, type DocumentClient, failedConditions, isConditionFailure } from './client.ts';
import { keys, timerAttributeNames, timerAttributes } from './keys.ts';
import { bucketIncrement, rollupKey } from './rollup-store.ts';
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

/** DynamoDB's limit: 100 items a transaction (customers and the counters they add to). */
const TRANSACTION_ITEMS = 100;
const CONFLICT_RETRIES = 5;

function historyOf(item: Record<string, unknown>): CustomerHistory {
  const cohorts = Object.entries(item).flatMap(([name, value]) => {
    if (!name.startsWith(COHORT_PREFIX)) return [];
    const parsed = cohortSchema.safeParse(value);
    // A cohort written by another version of this code is left alone, never fails the customer.
    return parsed.success ? [parsed.data as Cohort] : [];
  });
  const visits = stringsOf(item.visitLog);
  return {
    visits,
    cohorts,
    counted: new Set(stringsOf(item.returnsCounted)),
    value: { visits: Number(item.visits ?? 0), spend: Number(item.spend ?? 0), lastVisitAt: [...visits].sort().at(-1) },
    segment: segments.find((s) => s === item.segment),
    contact: contactSchema.safeParse(item.contact).data,
    timer:
      (item.timerAction === 'at_risk' || item.timerAction === 'recency') && typeof item.timerAt === 'string'
        ? { action: item.timerAction, at: item.timerAt }
        : undefined,
    openTaskId: typeof item.openTaskId === 'string' ? item.openTaskId : undefined,
    lastTask:
      typeof item.lastTaskId === 'string' && typeof item.lastTaskAt === 'string'
        ? { id: item.lastTaskId, raisedAt: item.lastTaskAt }
        : undefined,
  };
}

/**
 * A visit's change to the customer's own item, as one update conditional on what it was worked
 * out from: each return not counted yet (the cohort's recovery as it was read: a recovery marked
 * meanwhile is counted by markRecovered instead), the segment still the one it moves from.
 */
function customerUpdate(table: string, change: CustomerVisitChange) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions = ['attribute_exists(pk)'];
  const sets: string[] = [];
  const clauses: string[] = [];
  change.returns.forEach(({ cohort, horizonDays }, i) => {
    names[`#c${i}`] = cohortAttribute(cohort.surveyId);
    names['#r'] = 'recovered';
    values[`:m${i}`] = returnMarker(cohort.surveyId, horizonDays);
    if (cohort.recovered === true) values[':true'] = true;
    const recovery = cohort.recovered === true ? `#c${i}.#r = :true` : `attribute_not_exists(#c${i}.#r)`;
    conditions.push(`attribute_exists(#c${i})`, `NOT contains(returnsCounted, :m${i})`, recovery);
  });
  if (change.segment) {
    const { from, to } = change.segment;
    // SEGMENT is one of DynamoDB's reserved words.
    names['#segment'] = 'segment';
    values[':to'] = to;
    sets.push('#segment = :to');
    if (from) values[':from'] = from;
    conditions.push(from ? '#segment = :from' : 'attribute_not_exists(#segment)');
  }
  if (change.timer) {
    // The `due` index tells a customer's timer from a survey's by its type, and names it by its id.
    const timer = timerAttributes('customer', change.phoneHash, change.timer);
    names['#type'] = 'type';
    Object.assign(values, {
      ':type': 'customer',
      ':id': change.phoneHash,
      ':action': timer.timerAction,
      ':at': timer.timerAt,
      ':pk': timer.duePk,
      ':sk': timer.dueSk,
    });
    sets.push('#type = :type', 'id = :id', 'timerAction = :action', 'timerAt = :at', 'duePk = :pk', 'dueSk = :sk');
  }
  if (sets.length > 0) clauses.push(`SET ${sets.join(', ')}`);
  if (change.returns.length > 0) {
    values[':markers'] = new Set(change.returns.map(({ cohort, horizonDays }) => returnMarker(cohort.surveyId, horizonDays)));
    clauses.push('ADD returnsCounted :markers');
  }
  if (change.timer === null) clauses.push(`REMOVE ${timerAttributeNames.join(', ')}`);
  return {
    TableName: table,
    Key: keys.customer(change.phoneHash),
    UpdateExpression: clauses.join(' '),
    ConditionExpression: conditions.join(' AND '),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** The cohort put on the customer's item, unless it is there already or the customer has no history. */
const cohortPut = (table: string, phoneHash: string, cohort: Cohort) => ({
  TableName: table,
  Key: keys.customer(phoneHash),
  UpdateExpression: 'SET #c = :cohort',
  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#c)',
  ExpressionAttributeNames: { '#c': cohortAttribute(cohort.surveyId) },
  ExpressionAttributeValues: { ':cohort': cohort },
});

/** One customer's conditional update in a batch, and what it adds to the counters. */
interface CustomerWrite {
  phoneHash: string;
  update: ReturnType<typeof customerUpdate> | ReturnType<typeof cohortPut>;
  increments: RollupIncrement[];
}

/** What a visit's change adds to the counters: its returns' cohort buckets and its segment move. */
const incrementsOf = (change: CustomerVisitChange): RollupIncrement[] => [
  ...change.returns.map(({ cohort, horizonDays }) => returnIncrement(cohort, horizonDays)),
  ...(change.segment
    ? segmentMoveIncrements(change.phoneHash, change.segment.from, change.segment.to, change.segment.month)
    : []),
];

const bucketId = ({ key }: RollupIncrement) => {
  const { pk, sk } = rollupKey(key.family, key.granularity, key.view, key.period, key.group);
  return `${pk}\u0000${sk}`;
};

/** One increment per bucket (a transaction may touch an item once): the customers' deltas summed. */
function sumByBucket(increments: RollupIncrement[]): RollupIncrement[] {
  const sums = new Map<string, RollupIncrement>();
  for (const increment of increments) {
    const sum = sums.get(bucketId(increment)) ?? { key: increment.key, counters: {} };
    for (const [name, n] of Object.entries(increment.counters)) sum.counters[name] = (sum.counters[name] ?? 0) + n;
    sums.set(bucketId(increment), sum);
  }
  return [...sums.values()];
}

/** Customers' writes in groups whose customers and summed buckets fit one transaction each. */
function transactionsOf<T>(writes: readonly T[], increments: (write: T) => RollupIncrement[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let buckets = new Set<string>();
  for (const write of writes) {
    const ids = increments(write).map(bucketId);
    const added = new Set([...buckets, ...ids]);
    if (group.length > 0 && group.length + 1 + added.size > TRANSACTION_ITEMS) {
      groups.push(group);
      group = [];
      buckets = new Set(ids);
    } else buckets = added;
    group.push(write);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** A cohort joined: `surveyed` once in each horizon's bucket. */
const surveyedIncrements = (cohort: Cohort, horizons: readonly number[]) =>
  horizons.map((h) => cohortIncrement(cohort, h, { surveyed: 1 }));

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
    return Item && isLive(Item) ? historyOf(Item) : undefined;
  }

  async histories(phoneHashes: readonly string[]): Promise<Map<string, CustomerHistory>> {
    const phoneOf = new Map(phoneHashes.map((phoneHash) => [keys.customer(phoneHash).pk, phoneHash]));
    const items = await batchGetItems(this.db, this.mainTable, phoneHashes.map(keys.customer));
    const histories = new Map<string, CustomerHistory>();
    for (const item of items) {
      const phoneHash = phoneOf.get(String(item.pk));
      if (phoneHash !== undefined && isLive(item)) histories.set(phoneHash, historyOf(item));
    }
    return histories;
  }

  /**
   * In transactions of up to 100 items: each customer's conditional update and the counters of
   * all of them, summed per bucket. A customer whose condition failed is taken out and the rest
   * tried again; so is a transaction that met another one on a counter, after a pause.
   */
  async applyVisitChanges(changes: readonly CustomerVisitChange[]): Promise<Set<string>> {
    const writes = changes.filter((c) => c.returns.length > 0 || c.segment !== undefined || c.timer !== undefined);
    return this.writeCustomers(
      writes.map((change) => ({
        phoneHash: change.phoneHash,
        update: customerUpdate(this.mainTable, change),
        increments: incrementsOf(change),
      })),
    );
  }

  /** In transactions of up to 100 items, as applyVisitChanges: each customer's cohort put on them if absent. */
  async addCohorts(cohorts: readonly { phoneHash: string; cohort: Cohort }[], horizons: readonly number[]) {
    const once = [...new Map(cohorts.map((c) => [c.phoneHash, c])).values()];
    const stale = await this.writeCustomers(
      once.map(({ phoneHash, cohort }) => ({
        phoneHash,
        update: cohortPut(this.mainTable, phoneHash, cohort),
        increments: surveyedIncrements(cohort, horizons),
      })),
    );
    return new Set(once.filter((c) => !stale.has(c.phoneHash)).map((c) => c.phoneHash));
  }

  /** Answers the customers whose write was not made: their condition failed, or they kept meeting other writes. */
  private async writeCustomers(writes: CustomerWrite[]): Promise<Set<string>> {
    const stale = new Set<string>();
    for (const group of transactionsOf(writes, (w) => w.increments)) {
      for (const phoneHash of await this.writeGroup(group)) stale.add(phoneHash);
    }
    return stale;
  }

  /**
   * Each customer's conditional update and the counters of all of them, summed per bucket. A
   * customer whose condition failed is taken out and the rest tried again; so is a transaction that
   * met another one on a counter, after a pause.
   */
  private async writeGroup(group: CustomerWrite[]): Promise<string[]> {
    const stale: string[] = [];
    let left = group;
    for (let conflicts = 0; left.length > 0; ) {
      const counters = sumByBucket(left.flatMap((w) => w.increments)).map((i) => ({
        Update: bucketIncrement(this.scoresTable, i),
      }));
      const customers = left.map((w) => ({ Update: w.update }));
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: [...customers, ...counters] }));
        return stale;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        const changed = new Set(left.filter((_, i) => codes[i] === 'ConditionalCheckFailed'));
        if (changed.size > 0) {
          stale.push(...[...changed].map((w) => w.phoneHash));
          left = left.filter((w) => !changed.has(w));
        } else if (codes.includes('TransactionConflict') && conflicts++ < CONFLICT_RETRIES) {
          await sleep(20 * 2 ** conflicts * (1 + Math.random()));
        } else if (codes.includes('TransactionConflict')) {
          // Still meeting others: each customer goes the single way, which reads again.
          return [...stale, ...left.map((w) => w.phoneHash)];
        } else throw error;
      }
    }
    return stale;
  }

  async setTimer(phoneHash: string, timer: Timer<CustomerTimerAction> | null): Promise<void> {
    try {
      await this.db.send(new UpdateCommand(customerUpdate(this.mainTable, { phoneHash, returns: [], timer })));
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
      { Update: cohortPut(this.mainTable, phoneHash, cohort) },
      ...horizons.map((h) => this.bucketAdd(cohort, h, { surveyed: 1 })),
    ]);
  }

  async countReturns(phoneHash: string, returns: { cohort: Cohort; horizonDays: number }[]): Promise<boolean> {
    const change = { phoneHash, returns };
    return this.transact([{ Update: customerUpdate(this.mainTable, change) }, ...this.counters(change)]);
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
    const change = { phoneHash, returns: [], segment: { from, to, month } };
    return this.transact([{ Update: customerUpdate(this.mainTable, change) }, ...this.counters(change)]);
  }

  private counters(change: CustomerVisitChange) {
    return incrementsOf(change).map((increment) => ({ Update: bucketIncrement(this.scoresTable, increment) }));
  }

  /** One cohort bucket's increment. */
  private bucketAdd(cohort: Cohort, horizonDays: number, counters: Record<string, number>) {
    return { Update: bucketIncrement(this.scoresTable, cohortIncrement(cohort, horizonDays, counters)) };
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
