import { setTimeout as sleep } from 'node:timers/promises';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';
import type { IntegrityFlag } from '#shared/domain/integrity.ts';
import { partitionsBetween } from '#shared/domain/periods.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { scoreRangeOf } from '#shared/domain/scoring.ts';
import { ValidationError } from '#shared/errors.ts';
import type { ResponsesQuery, ResponseStore, StreakAnswer } from '#shared/ports.ts';
import { batchGetItems, cancellationCodes, type DocumentClient, isConditionFailure } from './client.ts';
import { epochSeconds } from './keys.ts';
import { streakAnswerPut } from './streak-store.ts';

const DAY_S = 86_400;
/** DynamoDB's limit: 100 items a transaction (an answer and its streak place are two). */
const TRANSACTION_ITEMS = 100;
const CONFLICT_RETRIES = 5;
/** A page of a selective filter may need several reads; this bounds one request's work. */
const MAX_QUERIES_PER_PAGE = 8;

/**
 * One partition per survey type and visit month, sorted by visit date: the answers behind any
 * bucket are one range read, newest first. The key follows from the answer itself, so a
 * repeat of the same answer finds it and is not kept twice.
 */
export const responseKey = (r: Pick<ScoredResponse, 'surveyType' | 'visitDate' | 'surveyId'>) => ({
  pk: `RESPONSES#${r.surveyType}#${r.visitDate.slice(0, 7)}`,
  sk: `${r.visitDate}#${r.surveyId}`,
});

/** Where the next page starts: a month, and within it the key after which to go on (none: its newest). */
const cursorSchema = z.object({
  month: z.string().check(z.regex(/^\d{4}-\d{2}$/)),
  after: z.optional(z.object({ pk: z.string().check(z.startsWith('RESPONSES#')), sk: z.string().check(z.minLength(1)) })),
});
type Cursor = z.infer<typeof cursorSchema>;
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decodeCursor(cursor: string, surveyType: string): Cursor {
  const invalid = new ValidationError('the cursor is not one this API gave out', { cursor: 'pass nextCursor back as it came' });
  let decoded: Cursor;
  try {
    decoded = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid;
  }
  if (decoded.after && decoded.after.pk !== `RESPONSES#${surveyType}#${decoded.month}`) throw invalid;
  return decoded;
}

const responseFields = [
  'surveyId',
  'surveyType',
  'score',
  'storeId',
  'departmentId',
  'advisorId',
  'serviceType',
  'visitDate',
  'answeredAt',
  'comment',
  'channel',
  'reach',
  'caller',
  'recoveryOf',
  'flags',
] as const;
const toResponse = (item: Record<string, unknown>) =>
  Object.fromEntries(responseFields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as unknown as ScoredResponse;

export class DynamoResponseStore implements ResponseStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  private answerPut(response: ScoredResponse) {
    return {
      TableName: this.table,
      Item: {
        ...responseKey(response),
        type: 'response',
        ...response,
        expiresAt: epochSeconds(response.answeredAt) + this.retentionDays * DAY_S,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async record(response: ScoredResponse, place?: StreakAnswer): Promise<'recorded' | 'duplicate'> {
    const answer = this.answerPut(response);
    try {
      if (!place) await this.db.send(new PutCommand(answer));
      else {
        // One write for both: the streak's item is in this table (and its change stream) too.
        const streak = streakAnswerPut(this.table, place, this.retentionDays);
        await this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: answer }, { Put: streak }] }));
      }
      return 'recorded';
    } catch (error) {
      const [kept, placed] = cancellationCodes(error) ?? [];
      if (isConditionFailure(error) || kept === 'ConditionalCheckFailed') return 'duplicate';
      // Placed already, yet not kept (an answer kept before streaks were placed with it): kept alone.
      if (placed === 'ConditionalCheckFailed') return this.record(response);
      throw error;
    }
  }

  /**
   * In transactions of up to 100 items, each answer with its place. An answer whose answer or place
   * failed its condition is taken out and the rest tried again; so is a transaction that met another
   * one, after a pause, a few times, and then the rest are left to `record`.
   */
  async recordMany(answers: readonly { response: ScoredResponse; place?: StreakAnswer | undefined }[]) {
    const kept = new Set<string>();
    let group: typeof answers = [];
    let items = 0;
    for (const answer of answers) {
      const size = answer.place ? 2 : 1;
      if (items + size > TRANSACTION_ITEMS) {
        for (const id of await this.writeAnswers(group)) kept.add(id);
        group = [];
        items = 0;
      }
      group = [...group, answer];
      items += size;
    }
    if (group.length > 0) for (const id of await this.writeAnswers(group)) kept.add(id);
    return kept;
  }

  private async writeAnswers(group: readonly { response: ScoredResponse; place?: StreakAnswer | undefined }[]) {
    let left = group;
    for (let conflicts = 0; left.length > 0; ) {
      const owners = left.flatMap((answer) => (answer.place ? [answer, answer] : [answer]));
      const items = left.flatMap(({ response, place }) => [
        { Put: this.answerPut(response) },
        ...(place ? [{ Put: streakAnswerPut(this.table, place, this.retentionDays) }] : []),
      ]);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return left.map(({ response }) => response.surveyId);
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        const failed = new Set(owners.filter((_, i) => codes[i] === 'ConditionalCheckFailed'));
        if (failed.size > 0) left = left.filter((answer) => !failed.has(answer));
        else if (codes.includes('TransactionConflict') && conflicts++ < CONFLICT_RETRIES) {
          await sleep(20 * 2 ** conflicts * (1 + Math.random()));
        } else if (codes.includes('TransactionConflict')) return [];
        else throw error;
      }
    }
    return [];
  }

  async setComment(response: ScoredResponse, comment: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: responseKey(response),
          UpdateExpression: 'SET #comment = :comment',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: { ':comment': comment },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async keptOf(answers: Pick<ScoredResponse, 'surveyType' | 'visitDate' | 'surveyId'>[]) {
    const items = await batchGetItems(this.db, this.table, answers.map(responseKey), { projection: 'pk, surveyId' });
    return new Set(items.map((item) => String(item.surveyId)));
  }

  async setFlags(response: ScoredResponse, flags: IntegrityFlag[]): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: responseKey(response),
          // An answer without flags has no `flags` attribute: the flagged filter reads its presence.
          UpdateExpression: flags.length ? 'SET #flags = :flags' : 'REMOVE #flags',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#flags': 'flags' },
          ...(flags.length ? { ExpressionAttributeValues: { ':flags': flags } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async list(query: ResponsesQuery) {
    const start = query.cursor ? decodeCursor(query.cursor, query.surveyType) : undefined;
    const names: Record<string, string> = { '#recoveryOf': 'recoveryOf' };
    const values: Record<string, unknown> = { ':from': `${query.from}#`, ':to': `${query.to}#\uffff` };
    const conditions = ['attribute_not_exists(#recoveryOf)'];
    for (const [field, value] of Object.entries(query.filters)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      conditions.push(`#${field} = :${field}`);
    }
    if (query.sentiment) {
      const { min, max } = scoreRangeOf(query.surveyType, query.sentiment);
      Object.assign(names, { '#score': 'score' });
      Object.assign(values, { ':min': min, ':max': max });
      conditions.push('#score BETWEEN :min AND :max');
    }
    if (query.withComment) {
      names['#comment'] = 'comment';
      conditions.push('attribute_exists(#comment)');
    }
    if (query.flagged) {
      names['#flags'] = 'flags';
      conditions.push('attribute_exists(#flags)');
    }

    // Day buckets are partitioned by month: the months from `to` back to `from`.
    const months = partitionsBetween(query.from, query.to, 'day')
      .reverse()
      .filter((m) => !start || m <= start.month);
    const responses: ScoredResponse[] = [];
    let queries = 0;
    for (const month of months) {
      const pk = `RESPONSES#${query.surveyType}#${month}`;
      let ExclusiveStartKey: Record<string, unknown> | undefined = start?.month === month ? start.after : undefined;
      do {
        const resumeHere = { month, ...(ExclusiveStartKey ? { after: ExclusiveStartKey as Cursor['after'] } : {}) };
        if (queries++ >= MAX_QUERIES_PER_PAGE) return { responses, nextCursor: encodeCursor(resumeHere) };
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            FilterExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':pk': pk },
            ScanIndexForward: false,
            Limit: Math.max(100, query.limit * 4),
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          responses.push(toResponse(item));
          if (responses.length === query.limit) {
            return { responses, nextCursor: encodeCursor({ month, after: { pk, sk: String(item.sk) } }) };
          }
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    return { responses };
  }
}
