import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, AlertActionRecord, AlertStatus } from '#shared/domain/records.ts';
import type { AlertChanges, AlertStore } from '#shared/ports.ts';
import { type DocumentClient, failedConditions, isConditionFailure, queryPages, UpdateBuilder } from './client.ts';
import { epochSeconds, keys, timerAttributeNames, timerAttributes } from './keys.ts';
import { isLive } from './survey-store.ts';

const DAY_S = 86_400;
const internal = new Set(['pk', 'sk', 'type', 'lookupPk', 'lookupSk', 'expiresAt', ...timerAttributeNames]);

function toAlert(item: Record<string, unknown>): Alert {
  const fields = Object.fromEntries(Object.entries(item).filter(([k]) => !internal.has(k)));
  const timer =
    typeof item.timerAction === 'string' && typeof item.timerAt === 'string'
      ? { action: item.timerAction as 'deliver' | 'escalate', at: item.timerAt }
      : undefined;
  return { ...(fields as unknown as Alert), timer };
}

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async create(alert: Alert, leaseUntil: string): Promise<boolean> {
    const { timer, ...fields } = alert;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.alert(alert.id),
            type: 'alert',
            ...fields,
            ...(timer ? timerAttributes('alert', alert.id, timer, leaseUntil) : {}),
            lookupPk: keys.departmentAlerts(alert.departmentId),
            lookupSk: `${alert.createdAt}#${alert.id}`,
            expiresAt: epochSeconds(alert.createdAt) + this.retentionDays * DAY_S,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.alert(alertId), ConsistentRead: true }),
    );
    return Item && isLive(Item) ? toAlert(Item) : undefined;
  }

  async listByDepartment(departmentId: string, options: { status?: AlertStatus; limit: number }): Promise<Alert[]> {
    if (options.status === 'reopened') return this.reopenedOf(departmentId, options.limit);
    return queryPages(
      this.db,
      {
        TableName: this.table,
        IndexName: 'lookup',
        KeyConditionExpression: 'lookupPk = :pk',
        FilterExpression: options.status ? '#status = :status' : undefined,
        ExpressionAttributeNames: options.status ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: {
          ':pk': keys.departmentAlerts(departmentId),
          ...(options.status ? { ':status': options.status } : {}),
        },
        ScanIndexForward: false,
      },
      (items) => items.filter((i) => isLive(i)).map(toAlert),
      options.limit,
    );
  }

  /**
   * A department's reopened cases, latest reopened first, from their entries in its list (each
   * removed when its case moves on): not a filter over every alert the department ever had.
   */
  private async reopenedOf(departmentId: string, limit: number): Promise<Alert[]> {
    return queryPages(
      this.db,
      {
        TableName: this.table,
        IndexName: 'lookup',
        KeyConditionExpression: 'lookupPk = :pk',
        ExpressionAttributeValues: { ':pk': keys.departmentReopened(departmentId) },
        ScanIndexForward: false,
      },
      async (items) => {
        const found = await Promise.all(items.filter((i) => isLive(i)).map((i) => this.get(String(i.alertId))));
        return found.filter((a): a is Alert => a?.status === 'reopened' && a.departmentId === departmentId);
      },
      limit,
    );
  }

  async createdBetween(departmentId: string, from: string, to: string): Promise<Alert[]> {
    return queryPages(
      this.db,
      {
        TableName: this.table,
        IndexName: 'lookup',
        KeyConditionExpression: 'lookupPk = :pk AND lookupSk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.departmentAlerts(departmentId), ':from': from, ':to': `${to}~` },
      },
      (items) => items.filter((i) => isLive(i)).map(toAlert),
    );
  }

  async markDelivered(alertId: string, deliveryKey: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.alert(alertId),
        UpdateExpression: 'SET deliveries.#key = if_not_exists(deliveries.#key, :at)',
        ExpressionAttributeNames: { '#key': deliveryKey },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async update(
    alertId: string,
    changes: AlertChanges,
    expect: { status?: AlertStatus[]; departmentId?: string; timerAt?: string; leaseUntil?: string },
    action?: AlertActionRecord,
  ): Promise<boolean> {
    const update = this.alertUpdate(alertId, changes, expect, action);
    // A case worked on from `reopened` leaves its department's list of reopened cases in the same write.
    const leavesReopened = expect.status?.includes('reopened') && changes.status !== undefined && changes.status !== 'reopened';
    if (leavesReopened)
      return this.transact([{ Update: update }, { Delete: { TableName: this.table, Key: keys.reopenedAlert(alertId) } }]);
    try {
      await this.db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async reopen(alert: Alert, changes: AlertChanges, action: AlertActionRecord, leaseUntil: string): Promise<boolean> {
    const departmentId = changes.departmentId ?? alert.departmentId;
    const update = this.alertUpdate(
      alert.id,
      changes,
      { status: ['resolved'], departmentId: alert.departmentId, leaseUntil },
      action,
    );
    const entry = {
      ...keys.reopenedAlert(alert.id),
      type: 'alert-reopened',
      alertId: alert.id,
      lookupPk: keys.departmentReopened(departmentId),
      lookupSk: `${action.at}#${alert.id}`,
      expiresAt: epochSeconds(alert.createdAt) + this.retentionDays * DAY_S,
    };
    return this.transact([{ Update: update }, { Put: { TableName: this.table, Item: entry } }]);
  }

  private alertUpdate(
    alertId: string,
    changes: AlertChanges,
    expect: { status?: AlertStatus[]; departmentId?: string; timerAt?: string; leaseUntil?: string },
    action?: AlertActionRecord,
  ) {
    const { timer, ...fields } = changes;
    const u = new UpdateBuilder().condition('attribute_exists(pk)');
    for (const [k, v] of Object.entries(fields)) u.set(k, v);
    if (fields.departmentId) u.set('lookupPk', keys.departmentAlerts(fields.departmentId));
    if (timer === null) for (const a of timerAttributeNames) u.remove(a);
    if (timer) for (const [k, v] of Object.entries(timerAttributes('alert', alertId, timer, expect.leaseUntil))) u.set(k, v);
    if (action) u.setRaw(`${u.name('actions')} = list_append(${u.name('actions')}, ${u.value([action])})`);
    if (expect.status) u.condition(`${u.name('status')} IN (${expect.status.map((s) => u.value(s)).join(', ')})`);
    if (expect.departmentId) u.condition(`${u.name('departmentId')} = ${u.value(expect.departmentId)}`);
    if (expect.timerAt) u.condition(`${u.name('timerAt')} = ${u.value(expect.timerAt)}`);
    return { TableName: this.table, Key: keys.alert(alertId), ...u.build() };
  }

  /** The alert's update and its entry's write together; false when the alert's condition failed. */
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
