import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  contactCardOf,
  type ImportedSurvey,
  type IngestResult,
  type Survey,
  type SurveyTimerAction,
} from '#shared/domain/records.ts';
import type {
  CreateSurveyOutcome,
  CustomerContactCard,
  CustomerValue,
  ImportSurveyOutcome,
  InboundRecord,
  SuppressionContext,
  SurveyChanges,
  SurveyStore,
} from '#shared/ports.ts';
import {
  batchGetItems,
  cancellationCodes,
  type DocumentClient,
  failedConditions,
  isConditionFailure,
  UpdateBuilder,
} from './client.ts';
import { epochSeconds, keys, timerAttributeNames, timerAttributes } from './keys.ts';

const INBOUND_RETENTION_DAYS = 30;
/** Imported rows go in a few large transactions at once (far faster than one each, on DynamoDB Local too). */
const MAX_TRANSACTION_ITEMS = 100;
const TRANSACTIONS_IN_FLIGHT = 4;
const TRANSACTION_ATTEMPTS = 6;

/** A row to write; `slot`: its survey also takes the customer's throttle slot. */
type ImportEntry = { index: number; survey: ImportedSurvey; slot?: boolean };
type ImportWrite = { kind: 'pending' } | { kind: 'created' } | { kind: 'duplicate'; surveyId?: string | undefined };

/** A row's items: event record and survey, with a phone the customer's visit counter, and maybe the throttle slot. */
const itemCount = (entry: ImportEntry) => 2 + (entry.survey.phoneHash ? 1 : 0) + (entry.slot ? 1 : 0);

/**
 * Rows into transactions of at most 100 items (2 to 4 per row); a customer's visit counter and
 * throttle slot are items a transaction may touch only once, so one customer's rows go in different ones.
 */
export function transactionGroups(entries: ImportEntry[]): ImportEntry[][] {
  const groups: { entries: ImportEntry[]; items: number; phones: Set<string> }[] = [];
  for (const entry of entries) {
    const { phoneHash } = entry.survey;
    const items = itemCount(entry);
    let group = groups.find((g) => g.items + items <= MAX_TRANSACTION_ITEMS && !(phoneHash && g.phones.has(phoneHash)));
    if (!group) {
      group = { entries: [], items: 0, phones: new Set() };
      groups.push(group);
    }
    group.entries.push(entry);
    group.items += items;
    if (phoneHash) group.phones.add(phoneHash);
  }
  return groups.map((g) => g.entries);
}
const DAY_S = 86_400;

/** Retention (DynamoDB TTL) deletes lazily; an item past its time is treated as gone. */
export const isLive = (item: Record<string, unknown> | undefined, nowS = Date.now() / 1000) =>
  item !== undefined && !(typeof item.expiresAt === 'number' && item.expiresAt <= nowS);

const surveyFields = [
  'id',
  'eventId',
  'surveyType',
  'status',
  'storeId',
  'serviceType',
  'departmentId',
  'advisorId',
  'technicianId',
  'customerId',
  'customerName',
  'locale',
  'timezone',
  'phoneHash',
  'phoneCipher',
  'phoneMasked',
  'visitAt',
  'visitDate',
  'createdAt',
  'sendAt',
  'sentAt',
  'remindedAt',
  'lastMessageId',
  'reasked',
  'score',
  'scoredAt',
  'reason',
  'endedAt',
  'alertsRaisedAt',
  'webTokenCipher',
  'wechatOpenIdCipher',
  'landline',
  'channel',
  'caller',
  'suppressedAs',
  'reach',
  'movedFrom',
  'channelSentAt',
  'alertIds',
  'recoveryOf',
  'recoveryDecidedAt',
  'importedAt',
  'contactFlags',
  'answerFlags',
] as const;

const earlierSurveyId = (event: Record<string, unknown>) => (event.result as IngestResult | undefined)?.survey.id;

function toSurvey(item: Record<string, unknown>): Survey {
  const survey = Object.fromEntries(surveyFields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));
  const timer =
    typeof item.timerAction === 'string' && typeof item.timerAt === 'string'
      ? { action: item.timerAction as SurveyTimerAction, at: item.timerAt }
      : undefined;
  return { ...(survey as unknown as Survey), timer };
}

export class DynamoSurveyStore implements SurveyStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async ingestResult(eventId: string): Promise<IngestResult | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.event(eventId), ConsistentRead: true }),
    );
    return isLive(Item) ? (Item?.result as IngestResult) : undefined;
  }

  async createSurvey(
    survey: Survey,
    options: { throttleSince: string; leaseUntil?: string; webTokenHash?: string; spend?: number; customerId?: string },
  ): Promise<CreateSurveyOutcome> {
    const expiresAt = epochSeconds(survey.createdAt) + this.retentionDays * DAY_S;
    const { timer, ...fields } = survey;
    const result: IngestResult = {
      eventId: survey.eventId,
      survey: { id: survey.id, status: 'scheduled', sendAt: survey.sendAt },
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: this.eventPut(survey.eventId, { result, storeId: survey.storeId, at: survey.createdAt, expiresAt }) },
            {
              Put: this.surveyPut(survey, {
                ...fields,
                ...(timer ? timerAttributes('survey', survey.id, timer, options.leaseUntil) : {}),
                expiresAt,
              }),
            },
            {
              Update: {
                TableName: this.table,
                Key: keys.throttle(survey.phoneHash),
                UpdateExpression: 'SET lastSurveyAt = :now, lastSurveyId = :id, expiresAt = :exp',
                ConditionExpression: 'attribute_not_exists(lastSurveyAt) OR lastSurveyAt <= :since',
                ExpressionAttributeValues: {
                  ':now': survey.createdAt,
                  ':id': survey.id,
                  ':since': options.throttleSince,
                  ':exp': expiresAt,
                },
              },
            },
            {
              ConditionCheck: {
                TableName: this.table,
                Key: keys.optOut(survey.phoneHash),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // A re-survey after a resolved alert asks again about the same visit: no visit of its own.
            ...(survey.recoveryOf
              ? []
              : [
                  {
                    Update: this.customerVisit(survey.phoneHash, {
                      visitAt: survey.visitAt,
                      spend: options.spend ?? 0,
                      expiresAt,
                      customerId: options.customerId,
                      contact: contactCardOf(survey),
                    }),
                  },
                ]),
            ...(options.webTokenHash
              ? [
                  {
                    Put: {
                      TableName: this.table,
                      Item: { ...keys.webToken(options.webTokenHash), type: 'web-token', surveyId: survey.id, expiresAt },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return { kind: 'created' };
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed) throw error;
      if (failed[0]) {
        const earlier = await this.ingestResult(survey.eventId);
        if (earlier) return { kind: 'duplicate', result: earlier };
      }
      if (failed[3]) return { kind: 'suppressed', reason: 'opted_out' };
      if (failed[2]) return { kind: 'suppressed', reason: 'throttled' };
      throw error;
    }
  }

  async importSurveys(surveys: ImportedSurvey[], options: { throttleSince: string }): Promise<ImportSurveyOutcome[]> {
    // A re-run is mostly duplicates: they are found by batched reads, before any write is tried.
    const events = await this.batchGet(surveys.map((s) => keys.event(s.eventId)));
    const written: ImportWrite[] = surveys.map((s) => {
      const earlier = events.get(keys.event(s.eventId).pk);
      return earlier ? { kind: 'duplicate', surveyId: earlierSurveyId(earlier) } : { kind: 'pending' };
    });
    const entries = surveys.flatMap((survey, index) => (written[index]?.kind === 'pending' ? [{ index, survey }] : []));
    await this.markThrottleSlots(entries, options.throttleSince);
    const groups = transactionGroups(entries);
    for (let start = 0; start < groups.length; start += TRANSACTIONS_IN_FLIGHT) {
      await Promise.all(
        groups.slice(start, start + TRANSACTIONS_IN_FLIGHT).map((group) => this.writeImportGroup(group, written)),
      );
    }
    const existing = await this.batchGet(
      written.flatMap((w) => (w.kind === 'duplicate' && w.surveyId ? [keys.survey(w.surveyId)] : [])),
    );
    return written.map((w) => {
      if (w.kind === 'created') return w;
      const item = w.kind === 'duplicate' && w.surveyId ? existing.get(keys.survey(w.surveyId).pk) : undefined;
      return { kind: 'duplicate', existing: item ? toSurvey(item) : undefined };
    });
  }

  /**
   * Each customer's latest survey sent after `throttleSince` takes their throttle slot, unless a
   * later survey holds it already (read in batches first, and checked again by the write).
   */
  private async markThrottleSlots(entries: ImportEntry[], throttleSince: string) {
    const latest = new Map<string, ImportEntry>();
    for (const entry of entries) {
      const { phoneHash, sendAt } = entry.survey;
      if (!phoneHash || sendAt <= throttleSince) continue;
      const held = latest.get(phoneHash);
      if (!held || held.survey.sendAt < sendAt) latest.set(phoneHash, entry);
    }
    const slots = await this.batchGet([...latest.keys()].map((phoneHash) => keys.throttle(phoneHash)));
    for (const [phoneHash, entry] of latest) {
      const held = slots.get(keys.throttle(phoneHash).pk)?.lastSurveyAt;
      entry.slot = typeof held !== 'string' || held < entry.survey.sendAt;
    }
  }

  /**
   * One transaction for a group of rows, each row's event record conditional: a row someone
   * else imported meanwhile is a duplicate and the rest go again; a throttle slot a later
   * survey took meanwhile is left to it; a conflict with another writer is retried after a pause.
   */
  private async writeImportGroup(group: ImportEntry[], written: ImportWrite[]) {
    let pending = group;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const items = pending.map((entry) => this.importItems(entry));
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items.flat() }));
        for (const { index } of pending) written[index] = { kind: 'created' };
        return;
      } catch (error) {
        const reasons = cancellationCodes(error);
        const conflict = (error as Error)?.name === 'TransactionConflictException' || reasons?.includes('TransactionConflict');
        let at = 0;
        const taken = new Set<number>();
        let slotsLost = 0;
        pending.forEach((entry, i) => {
          const count = items[i]?.length ?? 0;
          if (reasons?.[at] === 'ConditionalCheckFailed') taken.add(entry.index);
          else if (entry.slot && reasons?.[at + count - 1] === 'ConditionalCheckFailed') {
            entry.slot = false;
            slotsLost++;
          }
          at += count;
        });
        if ((!conflict && taken.size === 0 && slotsLost === 0) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        for (const { index, survey } of pending.filter((e) => taken.has(e.index))) {
          written[index] = { kind: 'duplicate', surveyId: (await this.ingestResult(survey.eventId))?.survey.id };
        }
        pending = pending.filter((e) => !taken.has(e.index));
        if (taken.size === 0 && slotsLost === 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (1 + Math.random())));
      }
    }
  }

  /** A row's writes: its event record, the survey, the visit in the customer's history, maybe the throttle slot. */
  private importItems({ survey, slot }: ImportEntry) {
    const expiresAt = epochSeconds(survey.createdAt) + this.retentionDays * DAY_S;
    // The first result, as a repeat of the eventId on POST /v1/service-events answers it.
    const result: IngestResult = {
      eventId: survey.eventId,
      survey: { id: survey.id, status: 'scheduled', sendAt: survey.sendAt },
    };
    const { phoneHash } = survey;
    const event = { result, storeId: survey.storeId, at: survey.createdAt, importedAt: survey.importedAt, expiresAt };
    return [
      { Put: this.eventPut(survey.eventId, event) },
      { Put: this.surveyPut(survey, { ...survey, expiresAt }) },
      ...(phoneHash
        ? [
            {
              Update: this.customerVisit(phoneHash, {
                visitAt: survey.visitAt,
                spend: survey.spend ?? 0,
                expiresAt,
                customerId: survey.customerId,
                contact:
                  survey.phoneCipher && survey.phoneMasked
                    ? contactCardOf({ ...survey, phoneCipher: survey.phoneCipher, phoneMasked: survey.phoneMasked })
                    : undefined,
              }),
            },
          ]
        : []),
      ...(phoneHash && slot
        ? [
            {
              Update: {
                TableName: this.table,
                Key: keys.throttle(phoneHash),
                UpdateExpression: 'SET lastSurveyAt = :at, lastSurveyId = :id, expiresAt = :exp',
                ConditionExpression: 'attribute_not_exists(lastSurveyAt) OR lastSurveyAt < :at',
                ExpressionAttributeValues: { ':at': survey.sendAt, ':id': survey.id, ':exp': expiresAt },
              },
            },
          ]
        : []),
    ];
  }

  /** Live items by pk, read consistently in batches of 100 (what BatchGetItem takes), retrying what it leaves. */
  /** Live items by `pk` (the main table's items have one `sk` per `pk`). */
  private async batchGet(itemKeys: { pk: string; sk: string }[]) {
    const items = await batchGetItems(this.db, this.table, itemKeys);
    return new Map(items.filter(isLive).map((item) => [String(item.pk), item]));
  }

  async recordSuppression(eventId: string, result: IngestResult, context: SuppressionContext): Promise<IngestResult> {
    const { phoneHash, spend, customerId, visitAt, contact, ...where } = context;
    const expiresAt = epochSeconds(context.at) + this.retentionDays * DAY_S;
    const put = this.eventPut(eventId, { result, ...where, expiresAt });
    try {
      if (phoneHash) {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              {
                Update: this.customerVisit(phoneHash, {
                  visitAt: visitAt ?? context.at,
                  spend: spend ?? 0,
                  expiresAt,
                  customerId,
                  contact,
                }),
              },
            ],
          }),
        );
      } else {
        await this.db.send(new PutCommand(put));
      }
      return result;
    } catch (error) {
      if (!isConditionFailure(error) && !failedConditions(error)?.[0]) throw error;
      return (await this.ingestResult(eventId)) ?? result;
    }
  }

  /** The event's idempotency record: written once per eventId, whatever else the same write does. */
  private eventPut(eventId: string, attributes: Record<string, unknown>) {
    return {
      TableName: this.table,
      Item: { ...keys.event(eventId), type: 'event', ...attributes },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  /** A new survey item; one with a phone is also listed under it (the `lookup` index). */
  private surveyPut(
    survey: { id: string; createdAt: string; phoneHash?: string | undefined },
    attributes: Record<string, unknown>,
  ) {
    const lookup = survey.phoneHash
      ? { lookupPk: keys.phoneLookup(survey.phoneHash), lookupSk: `${survey.createdAt}#${survey.id}` }
      : {};
    return {
      TableName: this.table,
      Item: { ...keys.survey(survey.id), type: 'survey', ...attributes, ...lookup },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  /**
   * One more visit in the customer's history (the event's own condition keeps it once per event),
   * and the customer id it gave, so a number on several customers' visits shows as shared.
   */
  private customerVisit(
    phoneHash: string,
    visit: {
      visitAt: string;
      spend: number;
      expiresAt: number;
      customerId?: string | undefined;
      contact?: CustomerContactCard | undefined;
    },
  ) {
    const { visitAt, spend, expiresAt, customerId, contact } = visit;
    const sets = ['expiresAt = :exp', ...(contact ? ['contact = :contact'] : [])];
    return {
      TableName: this.table,
      Key: keys.customer(phoneHash),
      // visitLog: when each visit took place (a set: the same instant twice is one visit), what returns are counted from.
      // contact: how to reach them, from the latest visit taken in (what a retention task calls).
      UpdateExpression: `ADD visits :one, spend :spend, visitLog :visit${customerId ? ', customerIds :ids' : ''} SET ${sets.join(', ')}`,
      ExpressionAttributeValues: {
        ':one': 1,
        ':spend': spend,
        ':visit': new Set([visitAt]),
        ':exp': expiresAt,
        ...(customerId ? { ':ids': new Set([customerId]) } : {}),
        ...(contact ? { ':contact': contact } : {}),
      },
    };
  }

  async customersOfPhone(phoneHash: string): Promise<string[]> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.customer(phoneHash), ProjectionExpression: 'customerIds' }),
    );
    return Item?.customerIds instanceof Set ? [...Item.customerIds].map(String) : [];
  }

  async recordDevice(deviceHash: string, customer: string, at: string): Promise<string[]> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.device(deviceHash),
        UpdateExpression: 'ADD customers :customer SET #type = :type, lastSeenAt = :at, expiresAt = :exp',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':customer': new Set([customer]),
          ':type': 'device',
          ':at': at,
          ':exp': epochSeconds(at) + this.retentionDays * DAY_S,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes?.customers instanceof Set ? [...Attributes.customers].map(String) : [];
  }

  async customerValue(phoneHash: string): Promise<CustomerValue> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.customer(phoneHash), ConsistentRead: true }),
    );
    const visits = Item?.visitLog instanceof Set ? [...Item.visitLog].map(String).sort() : [];
    return { visits: Number(Item?.visits ?? 0), spend: Number(Item?.spend ?? 0), lastVisitAt: visits.at(-1) };
  }

  async get(surveyId: string): Promise<Survey | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.survey(surveyId), ConsistentRead: true }),
    );
    return Item && isLive(Item) ? toSurvey(Item) : undefined;
  }

  async getMany(surveyIds: readonly string[]): Promise<Map<string, Survey>> {
    const items = await batchGetItems(this.db, this.table, surveyIds.map(keys.survey));
    return new Map(
      items
        .filter((item) => isLive(item))
        .map(toSurvey)
        .map((survey) => [survey.id, survey]),
    );
  }

  async findByWebToken(tokenHash: string): Promise<Survey | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.webToken(tokenHash), ConsistentRead: true }),
    );
    return Item && isLive(Item) ? this.get(String(Item.surveyId)) : undefined;
  }

  async latestForPhone(phoneHash: string, limit: number): Promise<Survey[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'lookup',
        KeyConditionExpression: 'lookupPk = :pk',
        ExpressionAttributeValues: { ':pk': keys.phoneLookup(phoneHash) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    // The index is eventually consistent: re-read each survey for its current state.
    const surveys = await Promise.all(Items.map((item) => this.get(String(item.id))));
    return surveys.filter((s): s is Survey => s !== undefined);
  }

  async update(
    surveyId: string,
    changes: SurveyChanges,
    expect: { status?: Survey['status']; timerAt?: string; leaseUntil?: string },
    inbound?: InboundRecord,
  ): Promise<boolean> {
    const { timer, ...fields } = changes;
    const u = new UpdateBuilder().condition('attribute_exists(pk)');
    for (const [k, v] of Object.entries(fields)) u.set(k, v);
    if (timer === null) for (const a of timerAttributeNames) u.remove(a);
    if (timer) for (const [k, v] of Object.entries(timerAttributes('survey', surveyId, timer, expect.leaseUntil))) u.set(k, v);
    if (expect.status) u.condition(`${u.name('status')} = ${u.value(expect.status)}`);
    if (expect.timerAt) u.condition(`${u.name('timerAt')} = ${u.value(expect.timerAt)}`);
    const update = { TableName: this.table, Key: keys.survey(surveyId), ...u.build() };
    try {
      if (!inbound) {
        await this.db.send(new UpdateCommand(update));
        return true;
      }
      await this.db.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, { Put: this.inboundPut(inbound) }] }));
      return true;
    } catch (error) {
      if (isConditionFailure(error) || failedConditions(error)) return false;
      throw error;
    }
  }

  async inbound(key: string): Promise<InboundRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.inbound(key), ConsistentRead: true }));
    if (!Item || !isLive(Item)) return undefined;
    return { key, surveyId: Item.surveyId, reply: Item.reply, scored: Item.scored === true, receivedAt: String(Item.receivedAt) };
  }

  async rememberInbound(record: InboundRecord): Promise<boolean> {
    try {
      await this.db.send(new PutCommand(this.inboundPut(record)));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private inboundPut(record: InboundRecord) {
    return {
      TableName: this.table,
      Item: {
        ...keys.inbound(record.key),
        type: 'inbound',
        surveyId: record.surveyId,
        reply: record.reply,
        scored: record.scored,
        receivedAt: record.receivedAt,
        expiresAt: epochSeconds(record.receivedAt) + INBOUND_RETENTION_DAYS * DAY_S,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async isOptedOut(phoneHash: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.optOut(phoneHash), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async setOptOut(phoneHash: string, optedOut: boolean, at: string): Promise<void> {
    if (optedOut) {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.optOut(phoneHash), type: 'opt-out', at } }));
    } else {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.optOut(phoneHash) }));
    }
  }
}
