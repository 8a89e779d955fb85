import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IngestResult, Survey, SurveyTimerAction } from '#shared/domain/records.ts';
import type { CreateSurveyOutcome, InboundRecord, SuppressionContext, SurveyChanges, SurveyStore } from '#shared/ports.ts';
import { type DocumentClient, failedConditions, isConditionFailure, UpdateBuilder } from './client.ts';
import { epochSeconds, keys, timerAttributeNames, timerAttributes } from './keys.ts';

const INBOUND_RETENTION_DAYS = 30;
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
  'channel',
  'alertIds',
  'recoveryOf',
  'recoveryDecidedAt',
] as const;

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
    options: { throttleSince: string; leaseUntil?: string; webTokenHash?: string; spend?: number },
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
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.event(survey.eventId),
                  type: 'event',
                  result,
                  storeId: survey.storeId,
                  at: survey.createdAt,
                  expiresAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.survey(survey.id),
                  type: 'survey',
                  ...fields,
                  ...(timer ? timerAttributes('survey', survey.id, timer, options.leaseUntil) : {}),
                  lookupPk: keys.phoneLookup(survey.phoneHash),
                  lookupSk: `${survey.createdAt}#${survey.id}`,
                  expiresAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
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
            { Update: this.customerVisit(survey.phoneHash, options.spend ?? 0, expiresAt) },
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

  async recordSuppression(eventId: string, result: IngestResult, context: SuppressionContext): Promise<IngestResult> {
    const { phoneHash, spend, ...where } = context;
    const expiresAt = epochSeconds(context.at) + this.retentionDays * DAY_S;
    const put = {
      TableName: this.table,
      Item: { ...keys.event(eventId), type: 'event', result, ...where, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    try {
      if (phoneHash) {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: put }, { Update: this.customerVisit(phoneHash, spend ?? 0, expiresAt) }],
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

  /** One more visit in the customer's history (the event's own condition keeps it once per event). */
  private customerVisit(phoneHash: string, spend: number, expiresAt: number) {
    return {
      TableName: this.table,
      Key: keys.customer(phoneHash),
      UpdateExpression: 'ADD visits :one, spend :spend SET expiresAt = :exp',
      ExpressionAttributeValues: { ':one': 1, ':spend': spend, ':exp': expiresAt },
    };
  }

  async customerValue(phoneHash: string): Promise<{ visits: number; spend: number }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.customer(phoneHash), ConsistentRead: true }),
    );
    return { visits: Number(Item?.visits ?? 0), spend: Number(Item?.spend ?? 0) };
  }

  async get(surveyId: string): Promise<Survey | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.survey(surveyId), ConsistentRead: true }),
    );
    return Item && isLive(Item) ? toSurvey(Item) : undefined;
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
